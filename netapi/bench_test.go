package netapi_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// BenchmarkEchoRoundTrip is one 64-byte round trip through a netapi echo server: a read
// becoming a data callback, and a Write reaching the kernel. The client is plain Go.
func BenchmarkEchoRoundTrip(b *testing.B) {
	port := netapiEchoB(b, netapi.ServerOptions{})
	c := dialRawB(b, port)
	defer c.Close()
	pingPongB(b, c)
}

// BenchmarkEchoRoundTripReuse is BenchmarkEchoRoundTrip with ReuseReadBuffer: a read
// allocates nothing.
func BenchmarkEchoRoundTripReuse(b *testing.B) {
	port := netapiEchoB(b, netapi.ServerOptions{ReuseReadBuffer: true})
	c := dialRawB(b, port)
	defer c.Close()
	pingPongB(b, c)
}

// BenchmarkClientWrite is a netapi Write handed to the kernel, its callback included.
func BenchmarkClientWrite(b *testing.B) {
	rt := netapi.New(netapi.WithLogger(testkit.Logger(b)))
	defer rt.Shutdown(context.Background())
	ln, port := rawListenerB(b)
	defer ln.Close()
	c := rt.NewSocket(netapi.SocketOptions{})
	connected := make(chan struct{})
	c.ConnectPort(port, "127.0.0.1", func() { close(connected) })
	peer, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer peer.Close()
	go io.Copy(io.Discard, peer)
	<-connected
	msg := make([]byte, 64)
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		var cb func(error)
		if i == b.N-1 {
			cb = func(err error) { done <- err }
		}
		c.Write(msg, cb)
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkEchoRoundTripPlainGo is the same round trip through a plain Go echo (a goroutine
// per connection, io.Copy), for the ratio.
func BenchmarkEchoRoundTripPlainGo(b *testing.B) {
	c := dialRawB(b, plainEchoB(b))
	defer c.Close()
	pingPongB(b, c)
}

// plainEchoB starts a plain Go echo server for a benchmark (a goroutine per connection,
// io.Copy through its generic path) and returns its port.
func plainEchoB(b *testing.B) int {
	ln, port := rawListenerB(b)
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(struct{ io.Writer }{c}, struct{ io.Reader }{c}) }()
		}
	}()
	return port
}

// BenchmarkConnectionChurn is a connection opened by a plain Go client, used for one round
// trip of one byte and reset, through a netapi echo server: what a request per connection
// costs (the connrate workload of ./tests/bench). Its allocations are the server's and the
// client's together: compare them with BenchmarkConnectionChurnPlainGo's.
func BenchmarkConnectionChurn(b *testing.B) {
	rt := netapi.New(netapi.WithLogger(testkit.Logger(b)))
	b.Cleanup(func() { rt.Shutdown(context.Background()) })
	srv := rt.CreateServer(netapi.ServerOptions{ReuseReadBuffer: true}, func(s *netapi.Socket) {
		s.OnData(func(d []byte) { s.Write(d, nil) })
		s.OnError(func(error) {}) // the client's reset
	})
	ready := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(ready) })
	<-ready
	churnB(b, srv.Address().Port)
}

// BenchmarkConnectionChurnPlainGo is BenchmarkConnectionChurn through a plain Go echo.
func BenchmarkConnectionChurnPlainGo(b *testing.B) { churnB(b, plainEchoB(b)) }

func churnB(b *testing.B, port int) {
	buf := make([]byte, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c := dialRawB(b, port)
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		_ = c.(*net.TCPConn).SetLinger(0)
		_ = c.Close()
	}
}

// BenchmarkEchoParallel is BenchmarkEchoRoundTrip over 50 connections at once: the per-message
// cost when the two cores are busy, which is what the ping-pong workload measures.
func BenchmarkEchoParallel(b *testing.B) {
	echoParallelB(b, netapiEchoB(b, netapi.ServerOptions{}))
}

// BenchmarkEchoParallelMetrics is BenchmarkEchoParallel with OpenTelemetry metrics on
// (WithMeterProvider, the SDK's), collected every 100 ms (ten times as often as a scrape
// usually comes): what metrics cost a busy server, against BenchmarkEchoParallel.
func BenchmarkEchoParallelMetrics(b *testing.B) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	port := netapiEchoB(b, netapi.ServerOptions{}, netapi.WithMeterProvider(mp))
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var rm metricdata.ResourceMetrics
				if err := reader.Collect(context.Background(), &rm); err != nil {
					b.Error(err)
					return
				}
			}
		}
	}()
	echoParallelB(b, port)
	close(stop)
	<-stopped
	b.StopTimer()
	if got := testkit.Metrics(b, reader)["actornet.socket.read.bytes"]; got < int64(b.N)*64 {
		b.Fatalf("actornet.socket.read.bytes = %d after %d round trips of 64 bytes: metrics are off", got, b.N)
	}
}

// echoParallelB runs the ping-pong of BenchmarkEchoParallel against port.
func echoParallelB(b *testing.B, port int) {
	b.SetParallelism(25)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		c := dialRawB(b, port)
		defer c.Close()
		msg, buf := make([]byte, 64), make([]byte, 64)
		for pb.Next() {
			if _, err := c.Write(msg); err != nil {
				b.Error(err)
				return
			}
			if _, err := io.ReadFull(c, buf); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// netapiEchoB starts a netapi echo server for a benchmark and returns its port.
func netapiEchoB(b *testing.B, opts netapi.ServerOptions, rtOpts ...netapi.Option) int {
	rt := netapi.New(append([]netapi.Option{netapi.WithLogger(testkit.Logger(b))}, rtOpts...)...)
	b.Cleanup(func() { rt.Shutdown(context.Background()) })
	srv := rt.CreateServer(opts, func(s *netapi.Socket) {
		s.OnData(func(d []byte) { s.Write(d, nil) })
	})
	ready := make(chan struct{})
	srv.Listen(netapi.ListenOptions{Host: "127.0.0.1"}, func() { close(ready) })
	<-ready
	return srv.Address().Port
}

// pingPongB makes b.N round trips of 64 bytes on c.
func pingPongB(b *testing.B, c io.ReadWriter) {
	msg, buf := make([]byte, 64), make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFramedLinesReuse is a round trip of 16 lines in one write, framed by the socket
// (Framing) and each echoed by a Write of its own, with ReuseReadBuffer: frames that lie
// inside one read allocate nothing.
func BenchmarkFramedLinesReuse(b *testing.B) {
	keepNewline := func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			return i + 1, data[:i+1], nil
		}
		return 0, nil, nil
	}
	port := netapiEchoB(b, netapi.ServerOptions{ReuseReadBuffer: true, Framing: &netapi.Framing{Split: keepNewline}})
	c := dialRawB(b, port)
	defer c.Close()
	msg := bytes.Repeat([]byte("GET 0123456789a\n"), 16)
	buf := make([]byte, len(msg))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}
