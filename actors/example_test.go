package actors_test

import (
	"context"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// An owner actor runs an echo server; a client socket, owned by a function actor, sends a
// message, ends, and reports what it got. Everything goes through messages.
func Example() {
	sys := supervisor.NewSystem(nil)
	tree := supervisor.NewTree(sys, nil)
	defer sys.Shutdown()
	defer tree.Stop(context.Background())

	port := make(chan int, 1)
	echo := sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.ListeningEvent:
			port <- m.Addr.Port
		case *messages.DataEvent:
			ctx.Send(m.Socket, &messages.Write{Data: m.Data})
		}
	}))
	srv, _ := actors.SpawnServer(tree, actors.ServerConfig{Owner: echo})
	sys.Root.Send(srv, &messages.Listen{Host: "127.0.0.1"})

	done := make(chan struct{})
	client := sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.ConnectEvent:
			fmt.Println("connected")
		case *messages.DataEvent:
			fmt.Printf("data %s\n", m.Data)
		case *messages.EndEvent:
			fmt.Println("end")
		case *messages.CloseEvent:
			fmt.Println("close, hadError:", m.HadError)
			close(done)
		}
	}))
	sock, _ := actors.SpawnSocket(tree, actors.SocketConfig{Owner: client})
	sys.Root.Send(sock, &messages.Connect{Port: <-port, Host: "127.0.0.1"})
	sys.Root.Send(sock, &messages.End{Data: []byte("ping")})
	<-done
	// Output:
	// connected
	// data ping
	// end
	// close, hadError: false
}
