package netapi_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/actornet/actornet/internal/certs"
	"github.com/actornet/actornet/netapi"
)

// An echo server and a client that sends a line, ends, and prints what came back.
func Example_server() {
	rt := netapi.New()
	defer rt.Shutdown(context.Background())

	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.Write(b, nil) })
	})
	listening := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(listening) })
	<-listening

	done := make(chan struct{})
	c := rt.ConnectPort(srv.Address().Port, "127.0.0.1", nil)
	c.OnData(func(b []byte) { fmt.Printf("echo: %s\n", b) })
	c.OnClose(func(hadError bool) { fmt.Println("closed, hadError:", hadError); close(done) })
	c.WriteString("hello", nil)
	c.End(nil, nil)
	<-done
	srv.Close(nil)
	// Output:
	// echo: hello
	// closed, hadError: false
}

// A client's events in order, against a server that answers and ends first.
func Example_client() {
	rt := netapi.New()
	defer rt.Shutdown(context.Background())
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End([]byte("bye"), nil) })
	listening := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(listening) })
	<-listening

	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnLookup(func(err error, address, family string) { fmt.Println("lookup", address, family) })
	c.OnData(func(b []byte) { fmt.Printf("data %s\n", b) })
	c.OnEnd(func() { fmt.Println("end") })
	c.OnClose(func(bool) { fmt.Println("close"); srv.Close(nil) })
	c.Connect(netapi.ConnectOptions{Port: srv.Address().Port, Host: "localhost"}, func() { fmt.Println("connect") })
	rt.Wait(context.Background())
	// Output:
	// lookup 127.0.0.1 IPv4
	// connect
	// data bye
	// end
	// close
}

// Half-close: with AllowHalfOpen the server still answers after the client's end.
func Example_halfClose() {
	rt := netapi.New()
	defer rt.Shutdown(context.Background())
	srv := rt.CreateServer(netapi.ServerOptions{AllowHalfOpen: true}, func(s *netapi.Socket) {
		var got []byte
		s.OnData(func(b []byte) { got = append(got, b...) })
		s.OnEnd(func() { s.End([]byte(fmt.Sprintf("you sent %d bytes", len(got))), nil) })
	})
	listening := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(listening) })
	<-listening

	c := rt.ConnectPort(srv.Address().Port, "127.0.0.1", nil)
	c.OnData(func(b []byte) { fmt.Printf("%s\n", b) })
	c.OnClose(func(bool) { srv.Close(nil) })
	c.End([]byte("twelve bytes"), nil)
	rt.Wait(context.Background())
	// Output:
	// you sent 12 bytes
}

// Pause holds data back (the peer is slowed by TCP itself); Resume delivers it.
func Example_pauseResume() {
	rt := netapi.New()
	defer rt.Shutdown(context.Background())
	resumed := make(chan struct{})
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.Pause()
		s.OnData(func(b []byte) { fmt.Printf("data %s\n", b) })
		go func() { <-resumed; s.Resume() }()
	})
	listening := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(listening) })
	<-listening

	c := rt.ConnectPort(srv.Address().Port, "127.0.0.1", nil)
	c.OnClose(func(bool) { srv.Close(nil) })
	c.WriteString("held back", func(error) {
		fmt.Println("written, and not delivered while paused")
		fmt.Println("resuming")
		close(resumed)
	})
	c.End(nil, nil)
	rt.Wait(context.Background())
	// Output:
	// written, and not delivered while paused
	// resuming
	// data held back
}

// The quick start: an echo server, and a client made once it listens; Wait returns when
// nothing is open any more, as Node's process exits when its loop runs dry.
func Example_quickStart() {
	rt := netapi.New()
	defer rt.Shutdown(context.Background())

	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.Write(b, nil) }) // echo
	})
	srv.Listen(netapi.ListenOptions{Port: 0, Host: "127.0.0.1"}, func() {
		c := rt.ConnectPort(srv.Address().Port, "127.0.0.1", func() { fmt.Println("connected") })
		c.OnData(func(b []byte) { fmt.Printf("%s\n", b) })
		c.OnClose(func(bool) { srv.Close(nil) })
		c.End([]byte("hello"), nil)
	})
	rt.Wait(context.Background())
	// Output:
	// connected
	// hello
}

// A proxy in three lines: Pipe both ways, with backpressure each way and the end carried
// over. Here it fronts an upper-casing server.
func ExamplePipe() {
	rt := netapi.New()
	defer rt.Shutdown(context.Background())

	upper := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.Write(bytes.ToUpper(b), nil) })
	})
	proxy := rt.CreateServer(netapi.ServerOptions{ReuseReadBuffer: true, AllowHalfOpen: true}, func(in *netapi.Socket) {
		out := rt.ConnectPort(upper.Address().Port, "127.0.0.1", nil)
		netapi.Pipe(in, out)
		netapi.Pipe(out, in)
	})
	upper.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() {
		proxy.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() {
			c := rt.ConnectPort(proxy.Address().Port, "127.0.0.1", nil)
			c.OnData(func(b []byte) { fmt.Printf("%s\n", b) })
			c.OnClose(func(bool) { proxy.Close(nil); upper.Close(nil) })
			c.End([]byte("through the proxy"), nil)
		})
	})
	rt.Wait(context.Background())
	// Output:
	// THROUGH THE PROXY
}

// The echo over TLS: a certificate from a CA made on the spot, a client that verifies it.
func ExampleRuntime_CreateTLSServer() {
	ca, _ := certs.NewAuthority("example CA")
	pair, _ := ca.Issue(certs.Options{Names: []string{"127.0.0.1"}})

	rt := netapi.New()
	defer rt.Shutdown(context.Background())

	srv := rt.CreateTLSServer(netapi.TLSServerOptions{
		TLSOptions: netapi.TLSOptions{Cert: pair.CertPEM, Key: pair.KeyPEM},
	}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.Write(b, nil) }) // echo, decrypted and sealed again
	})
	srv.Listen(netapi.ListenOptions{Port: 0, Host: "127.0.0.1"}, func() {
		c := rt.ConnectTLSPort(srv.Address().Port, "127.0.0.1", netapi.TLSOptions{CA: ca.PEM}, nil)
		c.OnSecureConnect(func() { fmt.Println(c.GetProtocol(), "authorized:", c.Authorized()) })
		c.OnData(func(b []byte) { fmt.Printf("%s\n", b) })
		c.OnClose(func(bool) { srv.Close(nil) })
		c.End([]byte("hello"), nil) // sent once the handshake is done
	})
	rt.Wait(context.Background())
	// Output:
	// TLSv1.3 authorized: true
	// hello
}

// A line server: with Framing its 'data' listener gets one line at a time, whatever the
// reads; the split function is the parser.
func ExampleFraming() {
	rt := netapi.New()
	defer rt.Shutdown(context.Background())

	srv := rt.CreateServer(netapi.ServerOptions{
		Framing: &netapi.Framing{Split: bufio.ScanLines, MaxFrame: 1 << 10},
	}, func(s *netapi.Socket) {
		s.OnData(func(line []byte) { s.Write([]byte(strings.ToUpper(string(line))+"\n"), nil) })
	})
	srv.Listen(netapi.ListenOptions{Port: 0, Host: "127.0.0.1"}, func() {
		c := rt.ConnectPort(srv.Address().Port, "127.0.0.1", nil)
		c.OnData(func(b []byte) { fmt.Printf("%s", b) })
		c.OnClose(func(bool) { srv.Close(nil) })
		c.Write([]byte("first li"), nil)
		c.End([]byte("ne\nsecond line\n"), nil)
	})
	rt.Wait(context.Background())
	// Output:
	// FIRST LINE
	// SECOND LINE
}

// A connect bounded by a context and by a timeout: the first connects in time, the second's
// context ended before it could, so it fails with the context's error and closes.
func ExampleSocket_ConnectContext() {
	rt := netapi.New()
	defer rt.Shutdown(context.Background())
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) { s.End(nil, nil) })
	listening := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(listening) })
	<-listening
	opts := netapi.ConnectOptions{Port: srv.Address().Port, Host: "127.0.0.1", Timeout: 5 * time.Second}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	closed := make(chan struct{})
	rt.ConnectContext(ctx, opts, func() { fmt.Println("connected") }).OnClose(func(bool) { close(closed) })
	<-closed

	gone, cancelGone := context.WithCancel(context.Background())
	cancelGone()
	c := rt.NewSocket(netapi.SocketOptions{})
	c.OnError(func(err error) { fmt.Println(netapi.Code(err), errors.Is(err, context.Canceled)) })
	c.OnClose(func(hadError bool) { fmt.Println("close", hadError); srv.Close(nil) })
	c.ConnectContext(gone, opts, nil)
	rt.Wait(context.Background())
	// Output:
	// connected
	// ABORT_ERR true
	// close true
}
