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
//	│   └── server ...         (one per SpawnServer; owns its listening socket)
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
//	server           an accepted socket panics         stop it (see below)
//	socket           a message handler or an owner's   never restarted: the descriptor is
//	                 callback run inside it panics     closed, ErrorEvent carries a
//	                                                   [PanicError], then CloseEvent
//
// A TCP connection cannot be resumed, so a socket is never restarted; it recovers its own
// panics, reports them to its owner and stops.
//
// A server's listening socket is not an actor of its own: its accept loop is a goroutine of
// the server, a budgeted backoff loop as net/http's Serve is, and no failure travels as a
// panic. Accept errors that a server survives (EMFILE, ENFILE, ENOBUFS, ECONNABORTED ...)
// make the loop back off (5 ms doubling to 1 s) and go on. Any other accept error makes the
// server close that listener and bind the same address again after an exponential backoff,
// at most [Budget].MaxRestarts times per Budget.Window, each reported as a ServerErrorEvent;
// past the budget the server closes (ErrListenerFailed). The sockets it accepted are its
// children either way and keep running.
//
// # A live view
//
// [Handler] serves the tree's snapshot over HTTP as JSON ([Snapshot.MarshalJSON]) or as
// text ([Snapshot.WriteText]), to mount beside net/http/pprof and expvar.
// [Tree.RegisterMetrics] reports the same through OpenTelemetry instruments.
package supervisor
