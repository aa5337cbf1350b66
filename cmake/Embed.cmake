# embed_files(OUTPUT SYMBOL FILE...) generates OUTPUT defining
#   embedded_file SYMBOL[]; const size_t SYMBOL_count;
# with each file's base name and NUL-terminated contents.
function(embed_files output symbol)
  # A list would be split into separate arguments on the way to the script.
  string(REPLACE ";" "|" files "${ARGN}")
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${output} -DSYMBOL=${symbol} -DFILES=${files}
            -P ${CMAKE_SOURCE_DIR}/cmake/EmbedScript.cmake
    DEPENDS ${ARGN} ${CMAKE_SOURCE_DIR}/cmake/EmbedScript.cmake
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()
