package supervisor_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

// The text form of a snapshot, for a log line or a terminal (a snapshot made by hand here;
// Tree.Snapshot fills one in).
func ExampleSnapshot_String() {
	addr := func(port int) messages.Addr { return messages.Addr{Address: "127.0.0.1", Family: "IPv4", Port: port} }
	snap := supervisor.Snapshot{
		Servers: []supervisor.ServerNode{{
			ServerInfo: messages.ServerInfo{PID: &actor.PID{Id: "actornet$1/servers/$1"}, State: "listening",
				Addr: addr(7000), Connections: []*actor.PID{{Id: "actornet$1/servers/$1/$2"}}},
			Sockets: []messages.SocketInfo{{PID: &actor.PID{Id: "actornet$1/servers/$1/$2"}, State: "paused",
				Local: addr(7000), Remote: addr(40312), BytesRead: 65536, BytesWritten: 1024, NoDelay: true}},
		}},
		Clients: []messages.SocketInfo{{PID: &actor.PID{Id: "actornet$1/clients/$3"}, State: "connecting"}},
	}
	fmt.Print(snap)
	// Output:
	// actornet: 1 server, 1 client
	// server actornet$1/servers/$1 listening 127.0.0.1:7000, 1 connection
	//   socket actornet$1/servers/$1/$2 paused 127.0.0.1:7000 <- 127.0.0.1:40312, read 65536 B, written 1024 B, nodelay
	// client actornet$1/clients/$3 connecting, read 0 B, written 0 B
}

// The live view mounted on a mux, as beside net/http/pprof, and read as text.
func ExampleHandler() {
	sys := supervisor.NewSystem(nil)
	tree := supervisor.NewTree(sys, nil)
	defer sys.Shutdown()
	defer tree.Stop(context.Background())

	mux := http.NewServeMux()
	mux.Handle("/debug/actornet", supervisor.Handler(tree))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/debug/actornet?format=text")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Print(res.Status, "\n", string(body))
	// Output:
	// 200 OK
	// actornet: 0 servers, 0 clients
}
