// Command actors is the echo server written against actornet's actor layer alone: an owner
// actor receives the server's and sockets' events as messages and answers with commands.
// It is the shape to copy when sockets are part of a larger actor system.
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

// echoOwner owns the server and every socket it accepts: it writes back what each reads.
// Being an actor, it needs no lock: its state is its own.
type echoOwner struct {
	listening chan<- messages.Addr
	failed    chan<- error
	open      int
}

func (e *echoOwner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.ListeningEvent:
		e.listening <- m.Addr
	case *messages.ServerErrorEvent:
		e.failed <- m.Err
	case *messages.ConnectionEvent:
		e.open++
	case *messages.DataEvent:
		ctx.Send(m.Socket, &messages.Write{Data: m.Data})
	case *messages.CloseEvent:
		e.open--
	}
}

// client sends a message, ends, and reports what came back once its socket closed.
type client struct {
	port int
	msg  []byte
	got  []byte
	done chan<- error
}

func (c *client) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		pid, err := actors.SpawnSocket(tree, actors.SocketConfig{Owner: ctx.Self()})
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

var tree *supervisor.Tree

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
	sys := supervisor.NewSystem(nil)
	defer sys.Shutdown()
	tree = supervisor.NewTree(sys, nil)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tree.Stop(ctx)
	}()

	listening, failed := make(chan messages.Addr, 1), make(chan error, 1)
	owner := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &echoOwner{listening: listening, failed: failed}
	}))
	srv, err := actors.SpawnServer(tree, actors.ServerConfig{Owner: owner})
	if err != nil {
		return err
	}
	sys.Root.Send(srv, &messages.Listen{Port: port, Host: host})
	var bound messages.Addr
	select {
	case bound = <-listening:
	case err := <-failed:
		return err
	}
	fmt.Printf("actor echo server listening on %s\n", bound)
	if !demo {
		stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
		defer cancel()
		<-stop.Done()
		return nil
	}
	done := make(chan error, 1)
	sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &client{port: bound.Port, msg: []byte("hello, actors"), done: done}
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
