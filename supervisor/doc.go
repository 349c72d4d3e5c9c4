// Package supervisor is actornet's supervision tree: where each server and socket actor lives,
// what happens when one fails, and a snapshot of them all.
//
//	sys := supervisor.NewSystem(logger) // protoactor, printing nothing unless logger is set
//	tree := supervisor.NewTree(sys, logger)
//	defer tree.Stop(ctx)
//	snap, _ := tree.Snapshot(ctx)       // every server and socket, with state and counters
//
// # The tree
//
//	actornet (root)
//	├── servers
//	│   └── server ...         (one per SpawnServer)
//	│       ├── listener       (the listening socket and its accept loop)
//	│       └── socket ...     (one per accepted connection)
//	└── clients
//	    └── socket ...         (one per SpawnSocket)
//
// # Policies
//
//	level            child fails by                    policy
//	root             a group panics                    stop it (never happens by design)
//	servers group    a server panics                   stop it; its sockets close with it
//	clients group    a socket panics outside its own   stop it
//	                 recovery (never happens by design)
//	server           its listener fails (accept error  restart it after exponential backoff,
//	                 it cannot survive, bind failure)  at most Budget.MaxRestarts times per
//	                                                   Budget.Window; then stop it and close
//	                                                   the server (ErrListenerFailed)
//	server           an accepted socket panics         stop it (see below)
//	socket           a message handler or an owner's   never restarted: the descriptor is
//	                 callback run inside it panics     closed, ErrorEvent carries a
//	                                                   [PanicError], then CloseEvent
//
// A TCP connection cannot be resumed, so a socket is never restarted; it recovers its own
// panics, reports them to its owner and stops. A listener holds nothing but a bound address,
// so restarting it is safe, and the sockets it accepted are its server's children, not its
// own: they keep running through the restart. Each server is told of every listener failure
// with a [ListenerFailed] message and reports it as a ServerErrorEvent.
//
// Accept errors that a server survives (EMFILE, ENFILE, ENOBUFS, ECONNABORTED ...) are not
// failures: the accept loop backs off (5 ms doubling to 1 s) and goes on.
package supervisor
