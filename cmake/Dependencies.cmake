# Every third-party library comes from pkg-config; imported include directories
# count as system headers, so -Werror never trips on them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(ULFIUS REQUIRED IMPORTED_TARGET libulfius)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(JWT REQUIRED IMPORTED_TARGET libjwt)
pkg_check_modules(ORCANIA REQUIRED IMPORTED_TARGET liborcania)
pkg_check_modules(YDER REQUIRED IMPORTED_TARGET libyder)
if(BUILD_TESTING)
  pkg_check_modules(CHECK REQUIRED IMPORTED_TARGET check)
endif()
