// Package actors implements actornet's socket and server actors on protoactor-go: each TCP
// connection and each listening server is an actor, driven only by the commands of package
// messages and reporting what happens to it as events sent to its owner.
//
//	sys := supervisor.NewSystem(nil)
//	tree := supervisor.NewTree(sys, nil)
//	srv, err := actors.SpawnServer(tree, actors.ServerConfig{Owner: owner})
//	if err != nil {
//		return err
//	}
//	sys.Root.Send(srv, &messages.Listen{Port: 7000, Host: "127.0.0.1"})
//	// owner receives *messages.ListeningEvent, then a *messages.ConnectionEvent per client
//	// and that client's *messages.DataEvent ... *messages.CloseEvent.
//
// The runnable Example in this package is a whole echo server and client. To keep sockets and
// servers under a supervisor of one's own, spawn [SocketProps] and [ServerProps] from a parent
// actor instead: they then stop with it.
//
// # Sockets
//
// A socket actor ([SpawnSocket], or accepted by a server) owns all of a socket's semantics,
// Node's net.Socket's, in one state machine: a lifecycle ([State]) with a read half
// (open, eof, ended) and a write half (open, ending, finished, closed), Node's flowing mode,
// one read credit and the write queue ([Outbox]).
//
//   - Connect resolves a host name (LookupEvent), dials (ConnectEvent, or ErrorEvent and
//     CloseEvent{HadError: true}); writes sent before are queued and go out once connected.
//     Its Timeout bounds lookup and dial together ([ErrConnectTimeout]); CancelConnect ends a
//     connect under way with the error it carries and does nothing once connected.
//
//   - Every read becomes a DataEvent whose Data the owner owns, or, with
//     SocketConfig.LendReads, borrows under a messages.Lease (a read then allocates nothing).
//     The reader reads its next chunk only once the actor has handled the last one and the
//     data flows: Pause and a lease not yet released withhold that one credit, so the peer
//     is held back by TCP itself and a paused socket keeps at most one read. A socket
//     awaiting its first consumer (SocketConfig.AwaitConsumer, Node's readableFlowing null,
//     until Flow or Resume) reads on until it holds NullModeHighWaterMark bytes, as Node
//     does. Reads start at 4 KiB and adapt to the traffic, up to ReadBufferSize. The
//     peer's FIN gives EndEvent after all data.
//
//   - A socket that has nothing to read holds no goroutine and no buffer: on Linux its reader
//     parks the descriptor in a shared epoll instance after a short linger, and starts again
//     when data comes.
//
//   - Writes never block: each is tried once without blocking, and what the kernel does not
//     take goes to a flusher goroutine, one at a time, in order. FullEvent says the queue
//     reached the high-water mark, DrainEvent that it is empty again. A Write with a Token
//     that reaches the socket gets exactly one WrittenEvent, before CloseEvent (see package
//     messages for one sent after the close). In-process code writes to the [Outbox] directly.
//
//   - End flushes, then half-closes (FinishEvent). With AllowHalfOpen false the socket ends
//     its side by itself once the owner has handled EndEvent. A Write after End gives its
//     WrittenEvent with [ErrWriteAfterEnd] (EPIPE after the peer's end), then ErrorEvent,
//     and destroys the socket.
//
//   - Destroy drops queued writes and closes at once (a write dropped before the socket
//     connected fails with [ErrClosedBeforeConnection]). CloseEvent comes exactly once, last,
//     after the descriptor is closed and every goroutine of the socket has exited.
//
//   - SocketConfig.Activity hears when the socket becomes active or idle as Node's handles
//     do (connecting, reading, writing, closing), which is what netapi's Wait counts.
//
//   - SetTimeout arms an idle timer that sends TimeoutEvent once per idle period; it never
//     closes the socket. SetKeepAlive and SetNoDelay set the real socket options.
//
//   - The owner is watched: when it stops, the socket is destroyed. Register moves the events
//     to another actor; SocketConfig.Handler (ServerConfig.PrepareSocket for accepted
//     sockets) has them called inside the socket actor instead, in process.
//
//   - SocketConfig.Framing delivers frames instead of reads: one DataEvent per token of a
//     bufio.SplitFunc ([Framing], [SplitLengthPrefixed]); a frame inside one read is a slice
//     of it.
//
//   - SocketConfig.TLS makes the socket speak TLS on the same machinery: SecureConnectEvent
//     once the handshake completed, writes sealed into records by the outbox, reads
//     decrypted by the reader, close_notify before the FIN; a failed handshake or
//     certificate check is a [TLSError] with Node's code.
//
// A panic inside the socket actor, a Handler's included, closes that socket with an
// ErrorEvent carrying a *supervisor.PanicError; nothing else is affected.
//
// # Loops
//
// Every socket and server actor runs on a [Loop] (Netty's event loop): the actors of one
// loop take turns, so callbacks run inside them never overlap. A socket's reader runs an
// idle loop itself, so a read, its callback and the write it makes happen on one goroutine.
// By default each actor has a loop of its own; netapi puts a runtime's on a [LoopGroup]. An
// owner actor on its socket's loop ([Loop.Mailbox]) answers events with no goroutine
// handed over.
//
// # Servers
//
// A server actor ([SpawnServer]) binds on Listen (ListeningEvent with the real address, or
// ServerErrorEvent, after which it may Listen again; a host name is looked up off the actor)
// and hands each connection to a new socket actor among its children (ConnectionEvent). A
// Close that comes before ListeningEvent was sent cancels it, as Node's close() right after
// listen() does; ServerCloseEvent.Tokens names the Close messages each close answers. Its accept loop is a goroutine of its own; a
// listener that fails is bound again after a backoff, within a [supervisor.Budget], while
// accepted sockets go on. Running out of descriptors does not stop it: it backs off and
// accepts again. Close refuses new connections at once; ServerCloseEvent follows the close
// of its last socket.
//
// # Errors
//
// Failures are *net.OpError values naming the operation and the addresses, wrapping either a
// syscall.Errno (ECONNREFUSED, EADDRINUSE, ECONNRESET ...) or one of the sentinels below; use
// errors.Is.
package actors
