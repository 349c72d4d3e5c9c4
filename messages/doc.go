// Package messages is actornet's wire protocol: the plain structs that code sends to socket and
// server actors (commands) and the structs those actors send back to their owner (events).
//
// A client drives a socket only through its PID:
//
//	pid := actors.SpawnSocket(tree, actors.SocketConfig{Owner: me})
//	ctx.Send(pid, &messages.Connect{Port: 7000, Host: "localhost"})
//	ctx.Send(pid, &messages.Write{Data: []byte("hello")})
//	ctx.Send(pid, &messages.End{})
//	// me receives *ConnectEvent, *DataEvent ..., *EndEvent, *FinishEvent, *CloseEvent
//
// # Commands
//
// Commands are verbs: [Connect], [Write], [End], [Destroy], [Pause], [Resume], [SetTimeout],
// [SetKeepAlive], [SetNoDelay] and [Register] go to a socket; [Listen] and [Close] go to a server.
// [Inspect] goes to either and is answered with a [SocketInfo] or [ServerInfo]. Always send
// pointers.
//
// # Events
//
// Events are named after the IoT.js event they carry, with an Event suffix: [ConnectEvent],
// [DataEvent], [DrainEvent], [EndEvent], [FinishEvent], [CloseEvent], [ErrorEvent],
// [LookupEvent], [TimeoutEvent] and [WrittenEvent] for sockets; [ListeningEvent],
// [ConnectionEvent], [ServerErrorEvent] and [ServerCloseEvent] for servers. Each names the
// actor it comes from, so one owner can serve many sockets.
//
// One socket's events reach its owner in the order they happened. A [CloseEvent] comes exactly
// once and is always the last event of a socket; an [ErrorEvent] always precedes a
// CloseEvent{HadError: true}; no [DataEvent] follows an [EndEvent].
//
// The only protoactor type in this package is *actor.PID.
package messages
