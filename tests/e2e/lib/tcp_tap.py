#!/usr/bin/env python3
"""A TCP relay that logs what a client sends (for the end-to-end tests).

tcp_tap.py LISTEN_PORT TARGET_PORT LOG: accepts on 127.0.0.1:LISTEN_PORT,
relays each connection to 127.0.0.1:TARGET_PORT both ways, and appends one
line "<epoch seconds> <bytes>" to LOG for every chunk a client sends, so a
test can tell whether (and when) a process sent anything to the target.
"""
import asyncio
import sys
import time


async def pipe(reader, writer, log):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if log:
                with open(log, 'a') as f:
                    f.write(f'{time.time():.3f} {len(data)}\n')
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    listen, target, log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    open(log, 'a').close()

    async def handle(cr, cw):
        try:
            sr, sw = await asyncio.open_connection('127.0.0.1', target)
        except OSError:
            cw.close()
            return
        await asyncio.gather(pipe(cr, sw, log), pipe(sr, cw, None))

    server = await asyncio.start_server(handle, '127.0.0.1', listen)
    async with server:
        await server.serve_forever()


asyncio.run(main())
