// Command echo is an echo server written with netapi, the IoT.js-style API.
//
//	go run ./examples/echo                    # serve on 127.0.0.1:7000 until interrupted
//	go run ./examples/echo -demo              # also run clients, check the echoes, exit 0
//	go run ./examples/echo -addr 127.0.0.1:0  # any free port
//	go run ./examples/echo -debug 127.0.0.1:6060
//	                                          # and the live view: curl 127.0.0.1:6060/debug/actornet
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "address to listen on")
	demo := flag.Bool("demo", false, "run clients against the server, check what comes back, then exit")
	clients := flag.Int("clients", 10, "clients in -demo mode")
	reuse := flag.Bool("reuse", true, "ReuseReadBuffer: false gives each 'data' listener a new slice, as Node does")
	loops := flag.Int("loops", 0, "event loops (netapi.WithEventLoops); 0 means one per connection, 1 is Node's model")
	debug := flag.String("debug", "", "serve the live view (/debug/actornet) and pprof (/debug/pprof/) on this address")
	flag.Parse()
	if err := run(*addr, *demo, *clients, *reuse, *loops, *debug); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

func run(addr string, demo bool, clients int, reuse bool, loops int, debug string) error {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("bad port %q: %w", portStr, netapi.ErrInvalidPort)
	}
	rt := netapi.New(netapi.WithEventLoops(loops))
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rt.Shutdown(ctx)
	}()

	// A 256 KiB high-water mark: a peer that streams is paused only when that much waits for
	// it, not at every 64 KiB read as Node's 16 KiB default would. ReuseReadBuffer: the data
	// listener only writes its slice back, so the socket may read into it again afterwards,
	// and a read allocates nothing.
	srv := rt.CreateServer(netapi.ServerOptions{HighWaterMark: 256 << 10, ReuseReadBuffer: reuse}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) {
			if !s.Write(b, nil) {
				s.Pause() // the peer reads slower than it writes: stop reading until drain
			}
		})
		s.OnDrain(func() { s.Resume() })
		s.OnError(func(error) {}) // the close that follows is enough here
	})
	listening := make(chan struct{})
	failed := make(chan error, 1)
	srv.OnError(func(err error) { failed <- err })
	srv.Listen(netapi.ListenOptions{Port: port, Host: host}, func() { close(listening) })
	select {
	case <-listening:
	case err := <-failed:
		return err
	}
	fmt.Printf("echo server listening on %s\n", srv.Address())
	if debug != "" {
		stop, at, err := serveDebug(rt, debug)
		if err != nil {
			return err
		}
		defer stop()
		fmt.Printf("live view on http://%s/debug/actornet (?format=text), pprof on /debug/pprof/\n", at)
	}
	if !demo {
		stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
		defer cancel()
		<-stop.Done()
		return nil
	}
	return runDemo(rt, srv.Address().Port, clients)
}

// runDemo connects clients that each send a message in pieces, end, and check that exactly
// what they sent comes back before the server's end.
func runDemo(rt *netapi.Runtime, port, clients int) error {
	results := make(chan error, clients)
	for i := range clients {
		want := []byte(fmt.Sprintf("client %d says hello through the actors. ", i))
		want = bytes.Repeat(want, 100)
		var got []byte
		c := rt.ConnectPort(port, "127.0.0.1", nil)
		for off := 0; off < len(want); off += 1000 {
			c.Write(want[off:min(off+1000, len(want))], nil)
		}
		c.End(nil, nil)
		c.OnData(func(b []byte) { got = append(got, b...) })
		c.OnError(func(err error) { results <- err })
		c.OnClose(func(hadError bool) {
			if hadError {
				return // OnError reported it
			}
			if !bytes.Equal(got, want) {
				results <- fmt.Errorf("client %d: got %d bytes back, want %d", i, len(got), len(want))
				return
			}
			results <- nil
		})
	}
	var errs []error
	for i := range clients {
		select {
		case err := <-results:
			errs = append(errs, err)
		case <-time.After(30 * time.Second):
			return fmt.Errorf("only %d of %d clients finished", i, clients)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Printf("demo: %d clients, every echo checked\n", clients)
	return nil
}

// debugMux serves the runtime's supervision tree as JSON (and as text with ?format=text) next
// to net/http/pprof, on a mux of its own rather than http.DefaultServeMux.
func debugMux(rt *netapi.Runtime) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/debug/actornet", supervisor.Handler(rt.Tree()))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// serveDebug serves debugMux on addr until stop, and returns the address it listens on.
func serveDebug(rt *netapi.Runtime, addr string) (stop func(), at string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	hs := &http.Server{Handler: debugMux(rt), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln) // ErrServerClosed once stopped
	}()
	return func() { _ = hs.Close(); <-done }, ln.Addr().String(), nil
}
