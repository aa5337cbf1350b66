# Thin wrapper around CMake and the scripts in scripts/.
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all deps build run test test-plain test-asan clean

# The two test stages share the machine's cores and start their own clusters: one at a time.
.NOTPARALLEL:

all: build

deps:
	bash scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DBUILD_TESTING=ON $(CMAKE_ARGS)
	cmake --build $(BUILD) -j$(JOBS)

run: build
	bash scripts/run.sh $(BUILD)

# The whole suite twice: the normal build, then AddressSanitizer + UBSan.
test: test-plain test-asan

test-plain: build
	bash scripts/deps.sh chromium
	cmake --build $(BUILD) --target tests -j$(JOBS)
	bash scripts/test.sh $(BUILD)

test-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBUILD_TESTING=ON -DSANITIZE=ON $(CMAKE_ARGS)
	cmake --build build-asan --target tests -j$(JOBS)
	bash scripts/test.sh build-asan

clean:
	rm -rf build build-asan
