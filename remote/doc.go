// Package remote drives actornet's sockets and servers from another node: an owner actor on
// one node owns sockets on another exactly as it owns local ones, with the same commands and
// events. protoactor-go's remote (gRPC) sets them up and watches the nodes; a link, one TCP
// connection between two nodes, carries the sockets' traffic.
//
//	// node A, the sockets
//	nodeA, _ := remote.Start(sys, tree, remote.Config{Port: 8090})
//
//	// node B, the owners
//	nodeB, _ := remote.Start(sys, nil, remote.Config{})
//	srv := nodeB.Client("10.0.0.1:8090").SpawnServer(remote.ServerOptions{Owner: owner})
//	sys.Root.Send(srv, &messages.Listen{Port: 7001})
//	// owner gets ListeningEvent, ConnectionEvent, DataEvent … as from a local server
//
// # How it works
//
// A node with a supervision tree runs the socket service, an actor named [ServiceName]. A
// [Client] of that node spawns local proxies (one per socket or server); each asks the service
// for a relay, which spawns the real socket or server in the tree and owns it. Commands go
// owner → proxy → relay → socket, events the other way; only the hops proxy → relay and relay
// → proxy cross the wire. The proxy's node dials a link to the relay's node (where the
// relay's Attached says it takes links), and from then on proxy and relay talk over it: data
// as it is, one writev out and one read in, other messages in the protobuf form of package
// wire (see link.go). Spawning, servers' traffic and the watches stay on protoactor's remote.
// Tokens stay with the proxy;
// errors cross as their Node code and message and come back as an [*Error] that matches the
// same sentinels with errors.Is, and whose code netapi.Code names.
//
// # Flow control
//
// Reads: a relay lets at most [SocketOptions.Window] DataEvents be unconsumed by the owner,
// then pauses its socket, so TCP holds the peer back; the proxy credits reads back as they
// are consumed (with [SocketOptions.LendReads], when their lease is released). Writes: each
// Write is settled by the socket's node once the kernel took it; the proxy says FullEvent
// when [SocketOptions.HighWaterMark] bytes are unsettled and DrainEvent when none are, so an
// owner that pauses on Full and resumes on Drain never grows a queue. No message carries
// more than [MaxChunk] bytes (a link refuses a larger frame), and protoactor sends at most
// [BatchSize] in one gRPC message, so none reaches gRPC's 4 MiB limit.
//
// # Failure
//
// The relay watches its proxy, the proxy its relay. When the owner's node dies, its relays
// stop and their sockets are destroyed; when the socket's node dies, each proxy gives its
// owner an ErrorEvent with [ErrNodeLost] (code ERR_NODE_LOST) and a CloseEvent (a server's, a
// ServerErrorEvent and a ServerCloseEvent). A node that froze is noticed by keepalive (see
// [Config]). A link that breaks counts as its node's loss for the sockets that used it.
// Messages a node cannot decode are dropped with a log line.
package remote
