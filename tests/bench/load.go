package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// pingPong runs conns connections that each send 64 bytes and wait for them back, again and
// again, for d. It returns round trips per second and the 50th and 99th percentile latency.
func pingPong(addr string, conns int, d time.Duration) (rps float64, p50, p99 time.Duration, err error) {
	cs, err := dialAll(addr, conns)
	if err != nil {
		return 0, 0, 0, err
	}
	defer closeAll(cs)
	var wg sync.WaitGroup
	lat := make([][]time.Duration, conns)
	errs := make([]error, conns)
	start := time.Now()
	deadline := start.Add(d)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg, buf := make([]byte, 64), make([]byte, 64)
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if _, err := c.Write(msg); err != nil {
					errs[i] = err
					return
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					errs[i] = err
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return 0, 0, 0, err
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return 0, 0, 0, fmt.Errorf("no round trip completed")
	}
	return float64(len(all)) / elapsed.Seconds(), all[len(all)/2], all[len(all)*99/100], nil
}

// stream runs conns connections that each write 16 KiB chunks as fast as the server echoes
// them, for d. It returns the echoed megabytes (10^6) per second.
func stream(addr string, conns int, d time.Duration) (float64, error) {
	cs, err := dialAll(addr, conns)
	if err != nil {
		return 0, err
	}
	var echoed atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	start := time.Now()
	for _, c := range cs {
		wg.Add(2)
		go func() {
			defer wg.Done()
			chunk := make([]byte, 16<<10)
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
				if _, err := c.Write(chunk); err != nil && !isTimeout(err) {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			buf := make([]byte, 64<<10)
			for {
				n, err := c.Read(buf)
				echoed.Add(int64(n))
				if err != nil {
					return
				}
			}
		}()
	}
	time.Sleep(d)
	got := echoed.Load()
	elapsed := time.Since(start)
	close(stop)
	closeAll(cs) // unblocks the readers
	wg.Wait()
	return float64(got) / elapsed.Seconds() / 1e6, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// idleMemory opens n connections, checks each with one echo, and returns the server's RSS
// growth per connection while they stay open.
func idleMemory(s *server, n int) (perConn float64, err error) {
	warm, err := dialAll(s.Addr, 1)
	if err != nil {
		return 0, err
	}
	if err := echoOnce(warm[0]); err != nil {
		return 0, err
	}
	closeAll(warm)
	time.Sleep(200 * time.Millisecond)
	before, err := s.rss()
	if err != nil {
		return 0, err
	}
	cs, err := dialAll(s.Addr, n)
	if err != nil {
		return 0, err
	}
	defer closeAll(cs)
	if err := parallel(cs, 64, echoOnce); err != nil {
		return 0, fmt.Errorf("serving %d connections: %w", n, err)
	}
	time.Sleep(500 * time.Millisecond) // let the server settle (GC, lazily freed buffers)
	after, err := s.rss()
	if err != nil {
		return 0, err
	}
	return float64(after-before) / float64(n), nil
}

// idleBurst opens n connections, sends one byte on every one of them at once, reads every
// echo, lets the server settle for 2 s, and returns its RSS growth per connection while they
// stay open, and its RSS before the first connection (the base footprint). A burst makes
// every reader busy at the same moment, which the idle workload (64 at a time) never does.
func idleBurst(s *server, n int) (perConn, base float64, err error) {
	before, err := s.rss()
	if err != nil {
		return 0, 0, err
	}
	cs, err := dialAll(s.Addr, n)
	if err != nil {
		return 0, 0, err
	}
	defer closeAll(cs)
	if err := parallel(cs, 256, func(c net.Conn) error { // every byte out first: the burst
		_, err := c.Write([]byte{'x'})
		return err
	}); err != nil {
		return 0, 0, err
	}
	if err := parallel(cs, 256, func(c net.Conn) error {
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, err := io.ReadFull(c, make([]byte, 1))
		return err
	}); err != nil {
		return 0, 0, fmt.Errorf("echoing a burst on %d connections: %w", n, err)
	}
	time.Sleep(2 * time.Second) // readers park, buffers go back, GC runs
	after, err := s.rss()
	if err != nil {
		return 0, 0, err
	}
	return float64(after-before) / float64(n), float64(before), nil
}

// connRate opens, uses and closes connections from 8 workers for d; it returns connections
// per second. The client closes with a reset, so no TIME_WAIT piles up on loopback.
func connRate(addr string, d time.Duration) (float64, error) {
	var count atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, 8)
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				c, err := dial(addr)
				if err != nil {
					errs[w] = err
					return
				}
				err = echoOnce(c)
				_ = tcpConn(c).SetLinger(0)
				_ = c.Close()
				if err != nil {
					errs[w] = err
					return
				}
				count.Add(1)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return float64(count.Load()) / time.Since(start).Seconds(), nil
}

// dial connects the load generator to a server: plain TCP, or TLS with -tls (useTLS).
var dial = func(addr string) (net.Conn, error) { return net.Dial("tcp", addr) }

// useTLS makes dial a TLS client that trusts ca and checks the servers' certificates for
// 127.0.0.1; the TLS handshake is part of every connection (and of connRate's).
func useTLS(ca []byte) error {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return errors.New("no CA certificate")
	}
	cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", ClientSessionCache: nil}
	dial = func(addr string) (net.Conn, error) {
		return tls.DialWithDialer(&net.Dialer{Timeout: 30 * time.Second}, "tcp", addr, cfg)
	}
	return nil
}

// tcpConn is the TCP connection under c.
func tcpConn(c net.Conn) *net.TCPConn {
	if tc, ok := c.(*tls.Conn); ok {
		return tc.NetConn().(*net.TCPConn)
	}
	return c.(*net.TCPConn)
}

func echoOnce(c net.Conn) error {
	msg, buf := []byte("ping1234"), make([]byte, 8)
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(msg); err != nil {
		return err
	}
	_, err := io.ReadFull(c, buf)
	return err
}

func dialAll(addr string, n int) ([]net.Conn, error) {
	cs := make([]net.Conn, n)
	var mu sync.Mutex
	var firstErr error
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	_ = parallel(idx, 32, func(i int) error {
		c, err := dial(addr)
		mu.Lock()
		defer mu.Unlock()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		cs[i] = c
		return nil
	})
	if firstErr != nil {
		closeAll(cs)
		return nil, firstErr
	}
	return cs, nil
}

func closeAll(cs []net.Conn) {
	for _, c := range cs {
		if c != nil {
			_ = c.Close()
		}
	}
}

// parallel runs fn on every item, with at most workers at a time, and joins the errors.
func parallel[T any](items []T, workers int, fn func(T) error) error {
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	errs := make([]error, len(items))
	for i, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = fn(it)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// pipeDepth is how many requests a pipelined client sends in one write.
const pipeDepth = 16

// pipelined runs conns connections that each send pipeDepth requests of 16 bytes (a line
// each) in one write and wait for every reply (the line back), again and again, for d, as a
// Redis client pipelines. It returns requests answered per second.
func pipelined(addr string, conns int, d time.Duration) (float64, error) {
	cs, err := dialAll(addr, conns)
	if err != nil {
		return 0, err
	}
	defer closeAll(cs)
	var wg sync.WaitGroup
	var answered atomic.Int64
	errs := make([]error, conns)
	start := time.Now()
	deadline := start.Add(d)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := make([]byte, 0, 16*pipeDepth)
			for j := range pipeDepth {
				req = fmt.Appendf(req, "GET %011d\n", i*pipeDepth+j)
			}
			buf := make([]byte, len(req))
			for time.Now().Before(deadline) {
				if _, err := c.Write(req); err != nil {
					errs[i] = err
					return
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					errs[i] = err
					return
				}
				if string(buf) != string(req) {
					errs[i] = fmt.Errorf("replies %q, want %q", buf, req)
					return
				}
				answered.Add(pipeDepth)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return float64(answered.Load()) / time.Since(start).Seconds(), nil
}
