#!/usr/bin/env python3
"""Something listening where Redis should be, misbehaving, for minic's tests. Prints its port.

    fake_redis.py MODE      drip: answers every command with one byte a second, forever
                            huge: announces a 1 TB bulk string, then sends data endlessly
                            bigarray: announces an array of 2^31 - 1 elements, then sends them endlessly
                            garbage: answers with an error carrying escape sequences and a newline
                            silent: accepts and never answers
"""
import socket, sys, threading, time

mode = sys.argv[1]
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(16)
print(server.getsockname()[1], flush=True)


def serve(conn):
    try:
        conn.recv(65536)
        if mode == "drip":
            while True:
                conn.sendall(b"+")
                time.sleep(1)
        elif mode == "huge":
            conn.sendall(b"$999999999999\r\n")
            chunk = b"x" * 65536
            while True:
                conn.sendall(chunk)
        elif mode == "bigarray":
            conn.sendall(b"*2147483647\r\n")
            chunk = b":1\r\n" * 16384
            while True:
                conn.sendall(chunk)
        elif mode == "garbage":
            conn.sendall(b"-ERR \x1b[31mred\x1b[0m\nsecond line\r\n")
            time.sleep(5)
        else:
            time.sleep(3600)
    except OSError:
        pass
    finally:
        conn.close()


while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
