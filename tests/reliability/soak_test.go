package reliability

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// Load on loopback, bounded in time: 19,000 concurrent echo connections (this machine allows
// 20,000 descriptors per process), then 100,000 connect/write/close cycles; afterwards the
// goroutines and the open descriptors are back where they started. Both are long, so -short
// skips them; CI runs them.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped with -short")
	}
	goroutines, fds := goleak.IgnoreCurrent(), openFDs(t)
	rt := netapi.New(netapi.WithLogger(testkit.Logger(t)))
	srv, port := echoServer(t, rt, netapi.ServerOptions{})
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))

	t.Run("19,000 concurrent connections", func(t *testing.T) {
		// The clients run in a child process: 19,000 descriptors on each side do not fit
		// under one process's limit of 20,000 here. Once every connection has echoed, the
		// child waits while this process looks at itself: an idle connection holds no
		// goroutine (its reader is parked in epoll), so there are far fewer goroutines than
		// connections. Then every connection echoes again, all of them still open.
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), soakClientEnv+"="+addr)
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		lines := bufio.NewScanner(stdout)
		var out []string
		for lines.Scan() {
			out = append(out, lines.Text())
			if lines.Text() == soakHeld {
				g := runtime.NumGoroutine()
				t.Logf("%d connections held: %d goroutines, RSS %s", soakConns, g, rss(t))
				assert.Less(t, g, 1000, "goroutines while %d idle connections are held", soakConns)
				_, err := io.WriteString(stdin, "go on\n")
				require.NoError(t, err)
			}
		}
		require.NoError(t, cmd.Wait(), "%s", strings.Join(out, "\n"))
		assert.Contains(t, out, soakHeld)
		assert.Contains(t, out, fmt.Sprintf("%d connections held and served", soakConns))
	})

	t.Run("100,000 connect, write, close cycles", func(t *testing.T) {
		const cycles = 100000
		var done atomic.Int64
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		err := forEach(16, 16, func(w int) error {
			for done.Add(1) <= cycles {
				if ctx.Err() != nil {
					return fmt.Errorf("only %d cycles in the time allowed", done.Load())
				}
				c, err := net.Dial("tcp", addr)
				if err != nil {
					return err
				}
				err = echoCheck(c, "cycle")
				// The client closes first with a reset, so no TIME_WAIT piles up on loopback.
				_ = c.(*net.TCPConn).SetLinger(0)
				_ = c.Close()
				if err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(t, err)
	})

	closed := make(chan struct{})
	srv.Close(func(error) { close(closed) })
	recv(t, closed)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rt.Shutdown(ctx))
	goleak.VerifyNone(t, goroutines) // none of those the soak started is left
	assert.Eventually(t, func() bool { return openFDs(t) <= fds }, wait, 10*time.Millisecond,
		"descriptors: %d before", fds)
}

const (
	soakClientEnv = "ACTORNET_SOAK_CLIENT"
	soakConns     = 19000
	soakHeld      = "all connected and served once"
)

// runSoakClient is the child of the 19,000-connection soak: it opens them all and checks an
// echo on each, says so and waits for a line on stdin, then checks another echo on each while
// all are open, and says so.
func runSoakClient(addr string) int {
	const n = soakConns
	conns := make([]net.Conn, n)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	err := forEach(n, 64, func(i int) error {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		conns[i] = c
		return echoCheck(c, fmt.Sprintf("%08d", i))
	})
	if err == nil {
		fmt.Println(soakHeld)
		_, err = bufio.NewReader(os.Stdin).ReadString('\n')
	}
	if err == nil {
		err = forEach(n, 64, func(i int) error { return echoCheck(conns[i], "again!!!") })
	}
	if err != nil {
		fmt.Println("soak client:", err)
		return 1
	}
	fmt.Printf("%d connections held and served\n", n)
	return 0
}

// rss is the process's resident memory, as /proc tells it.
func rss(t *testing.T) string {
	status, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func echoCheck(c net.Conn, msg string) error {
	_ = c.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return fmt.Errorf("got %q back, want %q", buf, msg)
	}
	return nil
}

// forEach runs fn(0..n-1) with at most workers at once and joins the errors.
func forEach(n, workers int, fn func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	next := atomic.Int64{}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				errs[i] = fn(i)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
