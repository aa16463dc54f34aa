"""The servers' event loop on a thread of its own: the entry point (`serve`, draining on a
signal) and the tests are plain threads, and drive the grpc.aio servers through it."""

import asyncio
import threading

import grpc

from .handlers import Workers


class EventLoop:
    """An asyncio loop on a thread of its own, for the servers on it (the main port, the
    health port): the entry point and the tests drive them from plain threads. It stops when
    the last of them has stopped."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._servers = 0
        self._lock = threading.Lock()
        threading.Thread(target=self.loop.run_forever, name="grpc-event-loop", daemon=True).start()

    def run(self, coroutine):
        """Runs `coroutine` on the loop; waits for and returns its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def held(self) -> None:
        with self._lock:
            self._servers += 1

    def released(self) -> None:
        with self._lock:
            self._servers -= 1
            if self._servers == 0:
                self.loop.call_soon_threadsafe(self.loop.stop)


class Server:
    """A grpc.aio server on an EventLoop, stopped from any thread as grpcio's threaded
    server is: `stop(grace)` returns an event set once it has stopped."""

    def __init__(self, loop: EventLoop, server: grpc.aio.Server, workers: Workers | None = None):
        self.event_loop = loop
        self._server = server
        self._workers = workers
        loop.held()

    def stop(self, grace: float | None) -> threading.Event:
        """New calls are refused; those in flight get `grace` seconds (None: none)."""
        stopped = threading.Event()

        async def stop() -> None:
            try:
                await self._server.stop(grace)
            finally:
                if self._workers is not None:
                    self._workers.shutdown()
                stopped.set()
                self.event_loop.released()

        asyncio.run_coroutine_threadsafe(stop(), self.event_loop.loop)
        return stopped
