// Command actors is the echo server written against actornet's actor layer alone: actors
// receive the server's and sockets' events as messages and answer with commands. It is the
// shape to copy when sockets are part of a larger actor system: each accepted socket gets an
// echo actor of its own, on the socket's loop (each connection has a loop of its own, so
// they run in parallel), and each echo pauses its socket while its writes are
// backed up (FullEvent) until they drained (DrainEvent).
//
//	go run ./examples/actors                   # serve on 127.0.0.1:7001 until interrupted
//	go run ./examples/actors -demo             # also run one client actor, check, exit 0
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// serverOwner owns the server: it reports where it listens and gives every accepted socket
// to a new echo actor. Being an actor, it needs no lock.
type serverOwner struct {
	listening chan<- messages.Addr
	failed    chan<- error
}

func (o *serverOwner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.ListeningEvent:
		o.listening <- m.Addr
	case *messages.ServerErrorEvent:
		select {
		case o.failed <- m.Err:
		default: // after start, accept errors (EMFILE ...) are survived by the server
		}
	}
}

// echo writes back what its socket reads. The socket lends its read buffer (LendReads) and
// the echo hands the loan on with its Write, so a read allocates nothing; when the echo backs
// up (the peer reads slower than it sends), the socket says FullEvent and the echo stops
// reading until DrainEvent, so the peer is held back by TCP itself. Nothing is counted.
type echo struct{}

func (echo) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.DataEvent:
		ctx.Send(m.Socket, &messages.Write{Data: m.Data, Lease: m.Lease})
	case *messages.FullEvent:
		ctx.Send(m.Socket, &messages.Pause{})
	case *messages.DrainEvent:
		ctx.Send(m.Socket, &messages.Resume{})
	case *messages.CloseEvent:
		ctx.Stop(ctx.Self()) // the socket is gone, and its echo with it
	}
}

// highWater is the echo sockets' high-water mark: room for a few reads in flight.
const highWater = 256 << 10

// client sends a message, ends, and reports what came back once its socket closed.
type client struct {
	tree *supervisor.Tree
	port int
	msg  []byte
	got  []byte
	done chan<- error
}

func (c *client) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		pid, err := actors.SpawnSocket(c.tree, actors.SocketConfig{Owner: ctx.Self()})
		if err != nil {
			c.done <- err
			return
		}
		ctx.Send(pid, &messages.Connect{Port: c.port, Host: "127.0.0.1"})
		ctx.Send(pid, &messages.End{Data: c.msg}) // queued until connected
	case *messages.DataEvent:
		c.got = append(c.got, m.Data...)
	case *messages.ErrorEvent:
		c.done <- m.Err
	case *messages.CloseEvent:
		if !m.HadError {
			if string(c.got) != string(c.msg) {
				c.done <- fmt.Errorf("got %q back, want %q", c.got, c.msg)
			} else {
				c.done <- nil
			}
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7001", "address to listen on")
	demo := flag.Bool("demo", false, "run a client actor against the server, check the echo, then exit")
	flag.Parse()
	if err := run(*addr, *demo); err != nil {
		fmt.Fprintln(os.Stderr, "actors:", err)
		os.Exit(1)
	}
}

func run(addr string, demo bool) error {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return err
	}
	e, err := start(host, port)
	if err != nil {
		return err
	}
	defer e.stop()
	fmt.Printf("actor echo server listening on %s\n", e.addr)
	if !demo {
		stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
		defer cancel()
		<-stop.Done()
		return nil
	}
	done := make(chan error, 1)
	e.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &client{tree: e.tree, port: e.addr.Port, msg: []byte("hello, actors"), done: done}
	}))
	select {
	case err := <-done:
		if err == nil {
			fmt.Println("demo: echo checked")
		}
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("demo: no answer")
	}
}

// echoServer is a running actor echo server.
type echoServer struct {
	sys  *actor.ActorSystem
	tree *supervisor.Tree
	addr messages.Addr
	stop func()
}

// start builds the actor system, the tree, the server's owner and the server, and listens.
func start(host string, port int) (*echoServer, error) {
	sys := supervisor.NewSystem(nil)
	tree := supervisor.NewTree(sys, nil)
	listening, failed := make(chan messages.Addr, 1), make(chan error, 1)
	owner := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &serverOwner{listening: listening, failed: failed}
	}))
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tree.Stop(ctx)
		sys.Root.Stop(owner)
		sys.Shutdown()
	}
	// Each accepted socket gets a loop of its own (an elastic group), with an echo actor of
	// its own on the same loop as its owner from the start: an event and the Write it answers
	// with are handled in one run of the loop.
	loops := actors.NewLoopGroup(0)
	srv, err := actors.SpawnServer(tree, actors.ServerConfig{Owner: owner,
		Socket: actors.SocketConfig{LendReads: true, HighWaterMark: highWater},
		PrepareSocket: func(cfg actors.SocketConfig) actors.SocketConfig {
			cfg.Loop = loops.Next()
			cfg.Owner = sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return echo{} },
				actor.WithMailbox(cfg.Loop.Mailbox())))
			return cfg
		}})
	if err != nil {
		stop()
		return nil, err
	}
	sys.Root.Send(srv, &messages.Listen{Port: port, Host: host})
	select {
	case bound := <-listening:
		return &echoServer{sys: sys, tree: tree, addr: bound, stop: stop}, nil
	case err := <-failed:
		stop()
		return nil, err
	}
}
