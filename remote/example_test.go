package remote_test

import (
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/remote"
	"github.com/actornet/actornet/supervisor"
)

// echoOwner owns a remote server and echoes its sockets, exactly as a local owner would.
type echoOwner struct{ listening chan<- int }

func (o echoOwner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.ListeningEvent:
		o.listening <- m.Addr.Port
	case *messages.DataEvent:
		ctx.Send(m.Socket, &messages.Write{Data: m.Data, Lease: m.Lease})
	case *messages.FullEvent:
		ctx.Send(m.Socket, &messages.Pause{})
	case *messages.DrainEvent:
		ctx.Send(m.Socket, &messages.Resume{})
	}
}

// A node serves sockets and drives them. Here the owner is on the same node, for the sake of
// a self-contained example; with the address of another node (as examples/remote does) the
// same code owns sockets over there.
func Example() {
	sys := supervisor.NewSystem(nil)
	tree := supervisor.NewTree(sys, nil)
	node, err := remote.Start(sys, tree, remote.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer node.Stop()

	listening := make(chan int, 1)
	owner := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return echoOwner{listening} }))
	srv := node.Client(node.Address()).SpawnServer(remote.ServerOptions{Owner: owner,
		Socket: remote.SocketOptions{LendReads: true}})
	sys.Root.Send(srv, &messages.Listen{Port: 0, Host: "127.0.0.1"})

	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(<-listening)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	c.Write([]byte("hello"))
	c.(*net.TCPConn).CloseWrite()
	b, _ := io.ReadAll(c)
	fmt.Printf("%s\n", b)
	// Output: hello
}
