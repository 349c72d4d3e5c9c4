package remote_test

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/remote"
	"github.com/actornet/actornet/remote/wire"
	"github.com/actornet/actornet/supervisor"
)

// A child node is this test binary run again with nodeEnv set to its role. It speaks to the
// test in lines: it writes "addr …", "listening …", "event …" and "heap …" lines on stdout,
// and reads commands ("heap", "send-unknown") on stdin; stdin's end stops it.
const nodeEnv = "ACTORNET_REMOTE_NODE"

// say writes one line of the protocol to the test (set by runNode).
var say func(format string, args ...any)

func sayer() func(format string, args ...any) {
	out := make(chan string, 1024)
	go func() {
		for l := range out {
			fmt.Fprintln(os.Stdout, l)
		}
	}()
	return func(format string, args ...any) { out <- fmt.Sprintf(format, args...) }
}

// runNode runs a child node until its stdin ends, then exits the process (status 0; the race
// detector's report gives 66, which fails the test).
func runNode(role string) {
	say = sayer()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	slog.SetDefault(logger)
	sys := supervisor.NewSystem(logger)
	var tree *supervisor.Tree
	if role == "sockets" {
		tree = supervisor.NewTree(sys, logger)
	}
	node, err := remote.Start(sys, tree, remote.Config{Logger: logger,
		KeepAlive: keepAlive, KeepAliveTimeout: keepAliveTimeout})
	if err != nil {
		logger.Error("start", "err", err)
		os.Exit(2)
	}
	var maxHeap atomic.Uint64
	go sampleHeap(&maxHeap)
	say("addr %s", node.Address())
	if role == "owners" {
		startOwners(sys, node.Client(os.Getenv("ACTORNET_REMOTE_PEER")), os.Getenv("ACTORNET_REMOTE_MODE"))
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "heap":
			say("heap %d", maxHeap.Load())

		case "send-unknown":
			sendUnknown(sys, os.Getenv("ACTORNET_REMOTE_PEER"))
			say("sent-unknown")
		}
	}
	// The node ends with its process, without node.Stop: protoactor's remote.Shutdown writes
	// state that every remote send reads unsynchronized (endpointManager.stopped), which
	// -race reports when other goroutines sent before (see the README's limits).
	_ = node
	os.Exit(0)
}

// sampleHeap keeps the largest live heap seen (as of the last GC: garbage not yet collected
// is not held), every 10 ms.
func sampleHeap(max *atomic.Uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	for {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > max.Load() {
			max.Store(v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startOwners asks the sockets node for a server on a free port of 127.0.0.1 and owns it:
// mode "echo" echoes every accepted socket, "slow" consumes what it reads at slowRate. With
// ACTORNET_REMOTE_CONNECT set, a client socket on the sockets node connects there and does
// the same.
func startOwners(sys *actor.ActorSystem, c *remote.Client, mode string) {
	if to := os.Getenv("ACTORNET_REMOTE_CONNECT"); to != "" { // and a client socket echoes
		host, port, _ := net.SplitHostPort(to)
		p, _ := strconv.Atoi(port)
		owner := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &socketOwner{mode: mode} }))
		sock := c.SpawnSocket(remote.SocketOptions{Owner: owner, LendReads: true})
		sys.Root.Send(sock, &messages.Connect{Port: p, Host: host})
		if os.Getenv("ACTORNET_REMOTE_WRITE") != "" { // a Write sent at once, with a token
			sys.Root.Send(sock, &messages.Write{Data: []byte("hello"), Token: "hello"})
		}
	}
	owner := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &serverOwner{mode: mode} }))
	// HoldAccepted: each socket reads once its owner registered (see serverOwner).
	srv := c.SpawnServer(remote.ServerOptions{Owner: owner, HoldAccepted: true,
		Socket: remote.SocketOptions{LendReads: true}})
	sys.Root.Send(srv, &messages.Listen{Port: 0, Host: "127.0.0.1"})
}

// The child nodes' keepalive: a frozen node is noticed within 2*keepAlive+keepAliveTimeout.
const keepAlive, keepAliveTimeout = time.Second, time.Second

// slowRate is what a slow owner consumes, bytes per second.
const slowRate = 32 << 20

type serverOwner struct{ mode string }

func (o *serverOwner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.ListeningEvent:
		say("listening %d", m.Addr.Port)
	case *messages.ConnectionEvent:
		owner := ctx.Spawn(actor.PropsFromProducer(func() actor.Actor { return &socketOwner{mode: o.mode} }))
		ctx.Send(m.Socket, &messages.Register{Owner: owner})
	case *messages.ServerErrorEvent:
		say("event server-error %s", netapi.Code(m.Err))
	case *messages.ServerCloseEvent:
		say("event server-close")
	}
}

// socketOwner is the README's echo (mode "echo"), or a consumer that takes its time.
type socketOwner struct {
	mode string
	read int
}

func (o *socketOwner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.DataEvent:
		if o.mode == "slow" {
			time.Sleep(time.Duration(len(m.Data)) * time.Second / slowRate)
			o.read += len(m.Data)
			m.Lease.Release()
			return
		}
		ctx.Send(m.Socket, &messages.Write{Data: m.Data, Lease: m.Lease})
	case *messages.FullEvent:
		ctx.Send(m.Socket, &messages.Pause{})
	case *messages.DrainEvent:
		ctx.Send(m.Socket, &messages.Resume{})
	case *messages.ConnectEvent:
		say("event connect")
	case *messages.WrittenEvent:
		say("event written %v %s", m.Token, netapi.Code(m.Err))
	case *messages.EndEvent:
		say("event end %d", o.read)
	case *messages.ErrorEvent:
		say("event error %s", netapi.Code(m.Err))
	case *messages.CloseEvent:
		say("event close %s", strconv.FormatBool(m.HadError))
		ctx.Stop(ctx.Self())
	}
}

// sendUnknown sends the peer's socket service a protobuf message of a type that only this
// process knows (made here, at run time, so the peer, the same binary, does not link it),
// then messages of types the service knows but does not expect.
func sendUnknown(sys *actor.ActorSystem, peer string) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName("actornet.test.Unknown")
	if err != nil {
		fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
			Name: proto.String("actornet_test_unknown.proto"), Package: proto.String("actornet.test"),
			Syntax:      proto.String("proto3"),
			MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("Unknown")}},
		}, protoregistry.GlobalFiles)
		if err != nil {
			panic(err)
		}
		mt = dynamicpb.NewMessageType(fd.Messages().Get(0))
		if err := protoregistry.GlobalTypes.RegisterMessage(mt); err != nil {
			panic(err)
		}
	}
	service := actor.NewPID(peer, remote.ServiceName)
	sys.Root.Send(service, mt.New().Interface())
	// And messages of known types that the service does not expect.
	sys.Root.Send(service, &wire.Credit{N: 1})
	sys.Root.Send(service, &wire.SpawnSocket{}) // no owner
}
