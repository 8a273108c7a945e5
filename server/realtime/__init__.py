"""The live layer: everything that carries events to sockets, in one package.

| module | what it holds |
|---|---|
| ``contract.py`` | what an event is (``LiveEvent``, ``Disconnect``), rooms, the ``Events`` sink |
| ``packets.py`` | the Socket.IO packet text of an event and the node message between instances |
| ``server.py`` | the python-socketio server, its JSON and packet hooks, start-up and shutdown |
| ``engine.py`` | the engine.io server under it: fewer tasks, timers and bytes per socket |
| ``namespace.py`` | what every namespace shares: authentication at connect, ``acked`` calls |
| ``manager.py`` | local delivery (the web process's ``Events``), slow consumers, revocation |
| ``presence.py`` | who is online, on this node and across nodes |
| ``bus.py`` | the Redis bus between instances; its Lua scripts are ``scripts/*.lua`` |
| ``emitter.py`` | the write-only ``Events`` of processes without sockets (the worker) |

Services never import this package's transport: they ``tx.emit`` events that their domain's
``events.py`` builds, and the transaction publishes them after its commit (``server.db``).
"""
