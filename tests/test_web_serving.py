"""How the API is served inside Streamlit's server: small answers leave at once on kept-alive connections."""

from __future__ import annotations

import asyncio.base_events as base_events
import socket

from incident_kit.web.app import send_small_answers_at_once


def test_streamlit_binds_a_socket_asyncio_would_leave_with_nagle_on():
    """Why the fix exists: Streamlit's listener says proto 0, which asyncio's TCP_NODELAY check skips. When
    this fails, Streamlit binds with IPPROTO_TCP and ``send_small_answers_at_once`` can go."""
    from streamlit.web.server.starlette.starlette_server import _bind_socket

    listener = _bind_socket("127.0.0.1", 0, 8)
    try:
        assert listener.proto == 0
    finally:
        listener.close()


def test_accepted_connections_get_tcp_nodelay():
    send_small_answers_at_once()
    send_small_answers_at_once()  # twice is once
    listener = socket.socket(socket.AF_INET)  # as Streamlit binds it: proto 0
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        base_events._set_nodelay(accepted)  # what asyncio calls for each accepted connection
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        unix_a, unix_b = socket.socketpair()  # anything that is not TCP is left to asyncio's own rule
        base_events._set_nodelay(unix_a)
        unix_a.close(), unix_b.close()
    finally:
        for s in (client, accepted, listener):
            s.close()
