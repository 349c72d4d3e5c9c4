// Command remotepp is protoactor's own remote actor ping-pong, the yardstick for ping-pong
// through a remote owner: an actor on one node sends 64 bytes to an actor on another, which
// answers with them, one round trip at a time. It runs actornet's node configuration
// (remote.Start) so that only the socket layer differs.
//
//	remotepp -role pong                            # prints "node <address>"
//	remotepp -role ping -peer <address> -duration 3s   # prints "rtt p50 <µs> p99 <µs> n <count>"
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actornet/actornet/remote"
	"github.com/actornet/actornet/supervisor"
)

func main() {
	role := flag.String("role", "pong", `"pong" or "ping"`)
	peer := flag.String("peer", "", "the pong node's address, for -role ping")
	d := flag.Duration("duration", 3*time.Second, "how long to ping")
	flag.Parse()
	if err := run(*role, *peer, *d); err != nil {
		fmt.Fprintln(os.Stderr, "remotepp:", err)
		os.Exit(1)
	}
}

const pongName = "pong"

type pong struct{}

func (pong) Receive(ctx actor.Context) {
	if m, ok := ctx.Message().(*wrapperspb.BytesValue); ok {
		ctx.Respond(m)
	}
}

// pinger sends a ping, waits for its answer, and again, until the deadline.
type pinger struct {
	peer     *actor.PID
	deadline time.Time
	sent     time.Time
	rtts     []time.Duration
	done     chan<- []time.Duration
	msg      *wrapperspb.BytesValue
}

func (p *pinger) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		p.sent = time.Now()
		ctx.Request(p.peer, p.msg)
	case *wrapperspb.BytesValue:
		now := time.Now()
		p.rtts = append(p.rtts, now.Sub(p.sent))
		if now.After(p.deadline) {
			p.done <- p.rtts
			return
		}
		p.sent = now
		ctx.Request(p.peer, p.msg)
	}
}

func run(role, peer string, d time.Duration) error {
	sys := supervisor.NewSystem(nil)
	n, err := remote.Start(sys, nil, remote.Config{})
	if err != nil {
		return err
	}
	if role == "pong" {
		if _, err := sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return pong{} }), pongName); err != nil {
			return err
		}
		fmt.Printf("node %s\n", n.Address())
		_, _ = io.Copy(io.Discard, os.Stdin) // until the bench is done with it
		return nil
	}
	done := make(chan []time.Duration, 1)
	// A warm-up second first: the connection is made and the code paths are hot.
	warm := make(chan []time.Duration, 1)
	sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &pinger{peer: actor.NewPID(peer, pongName), deadline: time.Now().Add(time.Second),
			done: warm, msg: &wrapperspb.BytesValue{Value: make([]byte, 64)}}
	}))
	<-warm
	sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &pinger{peer: actor.NewPID(peer, pongName), deadline: time.Now().Add(d),
			done: done, msg: &wrapperspb.BytesValue{Value: make([]byte, 64)}}
	}))
	rtts := <-done
	slices.Sort(rtts)
	fmt.Printf("rtt p50 %d p99 %d n %d\n", rtts[len(rtts)/2].Microseconds(),
		rtts[len(rtts)*99/100].Microseconds(), len(rtts))
	return nil
}
