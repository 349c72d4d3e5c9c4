// Command linesrv is the benchmark's request/response server: it answers every line it reads
// with a reply of its own (the line back), one write per reply, as a server that handles
// requests one by one is written first. With -face plain it is the plain Go baseline, which
// gathers its replies in a bufio.Writer and flushes once the reader has nothing buffered;
// netapi and actors make one Write per reply and leave the gathering to actornet (the writes
// of one callback, or of one actor turn, go out with one writev).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	face := flag.String("face", "netapi", "plain, netapi or actors")
	loops := flag.Int("loops", 0, "netapi.WithEventLoops")
	framing := flag.Bool("framing", false, "netapi: the lines are framed by the socket (Framing) instead of parsed by hand")
	flag.Parse()
	var err error
	switch *face {
	case "plain":
		err = plain(*addr)
	case "netapi":
		err = withNetapi(*addr, *loops, *framing)
	case "actors":
		err = withActors(*addr)
	default:
		err = fmt.Errorf("unknown face %q", *face)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "linesrv:", err)
		os.Exit(1)
	}
}

func plain(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("plain Go line server listening on", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go func() {
			defer c.Close()
			r, w := bufio.NewReader(c), bufio.NewWriter(c)
			for {
				line, err := r.ReadSlice('\n')
				if err != nil {
					return
				}
				if _, err := w.Write(line); err != nil {
					return
				}
				if r.Buffered() == 0 && w.Flush() != nil {
					return
				}
			}
		}()
	}
}

// lines calls reply with each whole line of data, after what rest held of a line begun in
// an earlier read, and returns what is left of an unfinished one.
func lines(rest, data []byte, reply func([]byte)) []byte {
	if len(rest) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return append(rest, data...)
		}
		reply(append(rest, data[:i+1]...))
		rest, data = nil, data[i+1:]
	}
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return append(rest, data...)
		}
		reply(data[:i+1])
		data = data[i+1:]
	}
}

// scanLines is bufio.ScanLines keeping the newline: the reply is the line as it came.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

func withNetapi(addr string, loops int, framing bool) error {
	host, port, err := splitAddr(addr)
	if err != nil {
		return err
	}
	rt := netapi.New(netapi.WithEventLoops(loops))
	defer rt.Shutdown(nil)
	opts := netapi.ServerOptions{}
	if framing {
		opts.Framing = &netapi.Framing{Split: scanLines}
	}
	srv := rt.CreateServer(opts, func(s *netapi.Socket) {
		var rest []byte
		reply := func(line []byte) { s.Write(line, nil) }
		// Each 'data' slice is the listener's to keep (Node's ownership): replies point into it.
		if framing {
			s.OnData(reply) // one line each
		} else {
			s.OnData(func(d []byte) { rest = lines(rest, d, reply) })
		}
		s.OnError(func(error) {})
	})
	listening := make(chan error, 1)
	srv.OnError(func(err error) { listening <- err })
	srv.ListenPort(port, host, 0, func() { listening <- nil })
	if err := <-listening; err != nil {
		return err
	}
	fmt.Println("actornet netapi line server listening on", srv.Address())
	return waitInterrupt()
}

// lineOwner owns one socket: a Write per line.
type lineOwner struct{ rest []byte }

func (o *lineOwner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.DataEvent:
		o.rest = lines(o.rest, m.Data, func(line []byte) {
			ctx.Send(m.Socket, &messages.Write{Data: line})
		})
	case *messages.CloseEvent:
		ctx.Stop(ctx.Self())
	}
}

func withActors(addr string) error {
	host, port, err := splitAddr(addr)
	if err != nil {
		return err
	}
	sys := supervisor.NewSystem(nil)
	tree := supervisor.NewTree(sys, nil)
	listening := make(chan any, 1)
	owner := sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.ListeningEvent, *messages.ServerErrorEvent:
			select {
			case listening <- m:
			default:
			}
		}
	}))
	loops := actors.NewLoopGroup(0)
	srv, err := actors.SpawnServer(tree, actors.ServerConfig{Owner: owner,
		PrepareSocket: func(cfg actors.SocketConfig) actors.SocketConfig {
			cfg.Loop = loops.Next()
			cfg.Owner = sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &lineOwner{} },
				actor.WithMailbox(cfg.Loop.Mailbox())))
			return cfg
		}})
	if err != nil {
		return err
	}
	sys.Root.Send(srv, &messages.Listen{Port: port, Host: host})
	switch m := (<-listening).(type) {
	case *messages.ServerErrorEvent:
		return m.Err
	case *messages.ListeningEvent:
		fmt.Printf("actornet actors line server listening on %s:%d\n", m.Addr.Address, m.Addr.Port)
	}
	return waitInterrupt()
}

func splitAddr(addr string) (string, int, error) {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return "", 0, err
	}
	return a.IP.String(), a.Port, nil
}

func waitInterrupt() error {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
	return nil
}
