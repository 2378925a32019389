#!/usr/bin/python3
"""A small CRI (Kubernetes runtime.v1) client for the tests: calls one RuntimeService or
ImageService method on a containerd socket with a JSON request and prints the JSON reply.

    cri.py [--stubs DIR] [--timeout S] SOCKET call METHOD [JSON]
    cri.py [--stubs DIR] [--timeout S] SOCKET exec CONTAINER_ID CMD...

The Python stubs are generated from runtime_v1.proto (next to this file) with grpc_tools at
the first use, into --stubs DIR (or $CRI_STUBS, or a temporary dir removed at exit). JSON uses
the proto's lowerCamelCase field names and is printed with the default values included, so a
test can read e.g. .status.exitCode even when it is 0.

`exec` makes an Exec call and speaks to the streaming URL it returns (exec_stream.py): the
command's stdout and stderr go to ours, and we exit with its exit code.
A failed call prints the gRPC status to stderr and exits 2 (the code is named in the text).
"""
import argparse
import atexit
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = "runtime_v1.proto"


def load_stubs(stubs_dir=None):
    """(pb2, pb2_grpc) modules, generated into stubs_dir when they are not there yet."""
    if not stubs_dir:
        stubs_dir = tempfile.mkdtemp(prefix="ocirt-cri-stubs.")
        atexit.register(shutil.rmtree, stubs_dir, True)
    os.makedirs(stubs_dir, exist_ok=True)
    if not os.path.exists(os.path.join(stubs_dir, "runtime_v1_pb2_grpc.py")):
        # Generated into a private dir, then renamed: concurrent first uses do not see halves.
        tmp = tempfile.mkdtemp(dir=stubs_dir)
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", HERE,
                        "--python_out", tmp, "--grpc_python_out", tmp,
                        os.path.join(HERE, PROTO)], check=True)
        for name in ("runtime_v1_pb2.py", "runtime_v1_pb2_grpc.py"):
            os.replace(os.path.join(tmp, name), os.path.join(stubs_dir, name))
        shutil.rmtree(tmp, True)
    if stubs_dir not in sys.path:
        sys.path.insert(0, stubs_dir)
    return importlib.import_module("runtime_v1_pb2"), importlib.import_module("runtime_v1_pb2_grpc")


class Client:
    """A channel to one CRI socket; call(method, dict) -> dict."""

    def __init__(self, socket, stubs_dir=None, timeout=60):
        import grpc
        self.grpc = grpc
        self.pb2, pb2_grpc = load_stubs(stubs_dir)
        self.channel = grpc.insecure_channel("unix://" + os.path.abspath(socket))
        self.stubs = {
            "RuntimeService": pb2_grpc.RuntimeServiceStub(self.channel),
            "ImageService": pb2_grpc.ImageServiceStub(self.channel),
        }
        self.timeout = timeout

    def call(self, method, request=None):
        from google.protobuf import json_format
        for service_name, stub in self.stubs.items():
            service = self.pb2.DESCRIPTOR.services_by_name[service_name]
            if method in service.methods_by_name:
                m = service.methods_by_name[method]
                break
        else:
            raise SystemExit(f"cri.py: no method {method} in runtime_v1.proto")
        req_class = getattr(self.pb2, m.input_type.name)
        req = json_format.ParseDict(request or {}, req_class())
        reply = getattr(stub, method)(req, timeout=self.timeout)
        return json_format.MessageToDict(reply, including_default_value_fields=True)

    def close(self):
        self.channel.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stubs", default=os.environ.get("CRI_STUBS"))
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("socket")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("call")
    c.add_argument("method")
    c.add_argument("request", nargs="?", default="{}")
    e = sub.add_parser("exec")
    e.add_argument("--stdin", action="store_true", help="stream our stdin to the command")
    e.add_argument("container_id")
    e.add_argument("argv", nargs=argparse.REMAINDER)
    args = p.parse_args()

    client = Client(args.socket, args.stubs, args.timeout)
    try:
        if args.cmd == "call":
            print(json.dumps(client.call(args.method, json.loads(args.request)), indent=1))
            return 0
        import exec_stream
        url = client.call("Exec", {"containerId": args.container_id, "cmd": args.argv,
                                   "stdin": args.stdin, "stdout": True, "stderr": True})["url"]
        return exec_stream.run(url, sys.stdin.buffer if args.stdin else None,
                               sys.stdout.buffer, sys.stderr.buffer, args.timeout)
    except client.grpc.RpcError as err:
        print(f"cri.py: {args.cmd} {getattr(args, 'method', 'Exec')}: {err.code().name}: "
              f"{err.details()}", file=sys.stderr)
        return 2
    finally:
        client.close()


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    sys.exit(main())
