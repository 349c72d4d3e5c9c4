// Package messages is actornet's wire protocol: the plain structs that code sends to socket and
// server actors (commands) and the structs those actors send back to their owner (events).
//
// A client drives a socket only through its PID:
//
//	pid, err := actors.SpawnSocket(tree, actors.SocketConfig{Owner: ctx.Self()})
//	if err != nil {
//		return err
//	}
//	ctx.Send(pid, &messages.Connect{Port: 7000, Host: "localhost"})
//	ctx.Send(pid, &messages.Write{Data: []byte("hello")})
//	ctx.Send(pid, &messages.End{})
//	// ctx.Self() receives *ConnectEvent, *DataEvent ..., *EndEvent, *FinishEvent, *CloseEvent
//
// # Commands
//
// Commands are verbs: [Connect] (and [CancelConnect]), [Write], [End], [Destroy], [Pause], [Resume], [Flow],
// [SetTimeout], [SetKeepAlive], [SetNoDelay], [Register] and [Start] go to a socket; [Listen]
// and [Close] go to a server. [Inspect] goes to either and is answered with a [SocketInfo] or
// [ServerInfo]. Send pointers (values work too).
//
// # Events
//
// Events are named after the IoT.js event they carry, with an Event suffix: [ConnectEvent],
// [DataEvent], [DrainEvent], [EndEvent], [FinishEvent], [CloseEvent], [ErrorEvent],
// [LookupEvent], [TimeoutEvent], [SecureConnectEvent] (a TLS handshake completed), and,
// beyond Node's, [WrittenEvent] (a Write's answer) and [FullEvent] (writability off until
// DrainEvent) for sockets; [ListeningEvent],
// [ConnectionEvent], [ServerErrorEvent] and [ServerCloseEvent] for servers. Each names the
// actor it comes from, so one owner can serve many sockets.
//
// One socket's events reach its owner in the order they happened. A [CloseEvent] comes exactly
// once and is always the last event of a socket; an [ErrorEvent] always precedes a
// CloseEvent{HadError: true}; no [DataEvent] follows an [EndEvent]. A Write with a Token that
// reaches the socket gets exactly one [WrittenEvent], before the CloseEvent: written, refused,
// or dropped by the close (the Writes waiting in its mailbox as it closes included). A Write
// sent once the socket has closed reaches no one (its CloseEvent may be on its way to the
// owner): at CloseEvent, a Write not settled yet never will be. Its Lease is released either
// way. (actornet's client actor settles such Writes itself, with the reason.)
//
// # Flow control
//
// A socket reads only while its data flows: [Pause] stops it, [Resume] starts it, and a
// socket spawned awaiting a consumer holds its first read until [Flow]. With lent read
// buffers, a [DataEvent]'s [Lease] also holds the next read until every holder released it
// (a [Write] of the data takes the reference over). Writing, [FullEvent] and [DrainEvent]
// tell when to stop and start again.
//
// The only protoactor types in this package are *actor.PID and, for EndEvent's automatic
// answer, actor.Context.
package messages
