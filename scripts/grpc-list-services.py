#!/usr/bin/env python3
"""Lists the gRPC services on each motcua gRPC port through server reflection, with an
independent client (Python grpcio + grpcio-reflection):
    pip install grpcio grpcio-reflection && python3 scripts/grpc-list-services.py [host]
"""
import sys

import grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
ok = True
for name, port in [("catalogue", 9081), ("intake", 9082), ("workflow", 9083), ("reporting", 9084)]:
    with grpc.insecure_channel(f"{host}:{port}") as channel:
        try:
            services = ProtoReflectionDescriptorDatabase(channel).get_services()
            print(f"{name:<10} {port}: {', '.join(sorted(services))}")
        except grpc.RpcError as e:
            ok = False
            print(f"{name:<10} {port}: ERROR {e.code()}")
sys.exit(0 if ok else 1)
