// Command chat is a line chat server: every line a client sends goes to every other client.
// It runs with netapi.WithEventLoop, so its callbacks run one at a time on one goroutine and
// the room below needs no lock, as in Node.
//
//	go run ./examples/chat                 # serve on 127.0.0.1:7002; try: nc 127.0.0.1 7002
//	go run ./examples/chat -demo           # also run three clients, check the talk, exit 0
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/actornet/actornet/netapi"
)

// room is the chat's shared state, touched only by callbacks on the event loop.
type room struct {
	members map[*netapi.Socket]string
	next    int
}

func (r *room) join(s *netapi.Socket) {
	r.next++
	name := fmt.Sprintf("guest%d", r.next)
	r.members[s] = name
	var pending []byte
	s.WriteString("welcome "+name+"\n", nil)
	s.OnData(func(b []byte) {
		pending = append(pending, b...)
		for {
			i := bytes.IndexByte(pending, '\n')
			if i < 0 {
				return
			}
			line := string(pending[:i])
			pending = pending[i+1:]
			r.broadcast(s, name+": "+line+"\n")
		}
	})
	s.OnClose(func(bool) { delete(r.members, s) })
	s.OnError(func(error) {}) // a client that vanishes is just gone
}

func (r *room) broadcast(from *netapi.Socket, line string) {
	for s := range r.members {
		if s != from {
			s.WriteString(line, nil)
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7002", "address to listen on")
	demo := flag.Bool("demo", false, "run three clients, check that each hears the others, then exit")
	flag.Parse()
	if err := run(*addr, *demo); err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
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
	rt := netapi.New(netapi.WithEventLoop())
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rt.Shutdown(ctx)
	}()
	r := &room{members: map[*netapi.Socket]string{}}
	srv := rt.CreateServer(netapi.ServerOptions{}, r.join)
	listening, failed := make(chan struct{}), make(chan error, 1)
	srv.OnError(func(err error) { failed <- err })
	srv.Listen(netapi.ListenOptions{Port: port, Host: host}, func() { close(listening) })
	select {
	case <-listening:
	case err := <-failed:
		return err
	}
	fmt.Printf("chat server listening on %s\n", srv.Address())
	if !demo {
		stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
		defer cancel()
		<-stop.Done()
		return nil
	}
	return runDemo(srv.Address().Port)
}

// runDemo uses plain Go clients: each waits until all have joined, says one line, and must
// hear the two others.
func runDemo(port int) error {
	const n = 3
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := readLine(c); err != nil { // welcome: joined
			return err
		}
		conns[i] = c
	}
	for i, c := range conns {
		if _, err := fmt.Fprintf(c, "hello from %d\n", i); err != nil {
			return err
		}
	}
	for i, c := range conns {
		heard := map[string]bool{}
		for range n - 1 {
			line, err := readLine(c)
			if err != nil {
				return fmt.Errorf("client %d: %w", i, err)
			}
			heard[line[strings.Index(line, ": ")+2:]] = true
		}
		for j := range n {
			if want := fmt.Sprintf("hello from %d", j); j != i && !heard[want] {
				return fmt.Errorf("client %d did not hear %q", i, want)
			}
		}
	}
	fmt.Printf("demo: %d clients each heard the others\n", n)
	return nil
}

func readLine(c net.Conn) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		if _, err := c.Read(b); err != nil {
			return "", err
		}
		if b[0] == '\n' {
			return string(line), nil
		}
		line = append(line, b[0])
	}
}
