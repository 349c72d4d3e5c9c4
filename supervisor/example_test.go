package supervisor_test

import (
	"context"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// A snapshot lists every server, with its sockets, and every client socket.
func ExampleTree_Snapshot() {
	sys := supervisor.NewSystem(nil)
	tree := supervisor.NewTree(sys, nil)
	defer sys.Shutdown()
	defer tree.Stop(context.Background())

	events := make(chan any, 10)
	owner := sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.ListeningEvent, *messages.ConnectEvent, *messages.ConnectionEvent:
			events <- m
		}
	}))
	srv, _ := actors.SpawnServer(tree, actors.ServerConfig{Owner: owner})
	sys.Root.Send(srv, &messages.Listen{Host: "127.0.0.1"})
	port := (<-events).(*messages.ListeningEvent).Addr.Port
	sock, _ := actors.SpawnSocket(tree, actors.SocketConfig{Owner: owner})
	sys.Root.Send(sock, &messages.Connect{Port: port, Host: "127.0.0.1"})
	<-events
	<-events // connected on both sides

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	snap, _ := tree.Snapshot(ctx)
	for _, s := range snap.Servers {
		fmt.Println("server", s.State, "with", len(s.Sockets), "socket:", s.Sockets[0].State)
	}
	for _, c := range snap.Clients {
		fmt.Println("client", c.State, "to port", c.Remote.Port == port)
	}
	// Output:
	// server listening with 1 socket: open
	// client open to port true
}
