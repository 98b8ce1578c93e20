#!/usr/bin/python3
"""usage: grpc-echo.py serve READY SECONDS PORT CERT KEY | call TARGET METHOD...: a gRPC server
on the host's loopback (TLS, HTTP/2) whose every method answers what it was sent, prefixed
with the method's name; or a client inside the sandbox that calls each METHOD ("/pkg.Svc/Name")
of TARGET once, with a body of 100 KiB (several DATA frames), and prints what came back or
the status code. No generated code: methods take and give bytes."""
import sys, time
import grpc

if sys.argv[1] == "serve":
    from concurrent import futures
    ready, seconds, port, cert, key = sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]

    class Echo(grpc.GenericRpcHandler):
        def service(self, details):
            method = details.method
            return grpc.unary_unary_rpc_method_handler(lambda body, context: method.encode() + b" " + str(len(body)).encode())

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=[Echo()])
    credentials = grpc.ssl_server_credentials([(open(key, "rb").read(), open(cert, "rb").read())])
    server.add_secure_port("127.0.0.1:%d" % port, credentials)
    server.start()
    open(ready, "w").close()
    time.sleep(seconds)
else:
    target = sys.argv[2]
    with grpc.secure_channel(target, grpc.ssl_channel_credentials()) as channel:
        for method in sys.argv[3:]:
            call = channel.unary_unary(method)
            try:
                print(method, "->", call(b"x" * 102400, timeout=10).decode())
            except grpc.RpcError as e:
                print(method, "->", e.code().name, e.details())
