// Command remote runs actornet across two nodes: node A has the sockets, node B owns them.
// B's owner actors are the echo of examples/actors, unchanged: they drive a server on A (and
// its accepted sockets) over protoactor's remote, through proxies that stand for them on B.
//
//	go run ./examples/remote -role sockets -node 127.0.0.1:8090              # node A
//	go run ./examples/remote -role owners -peer 127.0.0.1:8090 -addr 127.0.0.1:7002  # node B
//	go run ./examples/remote -demo   # both as child processes: 64 MiB echoed, then A killed
//
// With -demo it starts A and B as child processes, pushes 64 MiB through the echo on A driven
// from B and checks its sha256, then kills A (SIGKILL) and shows that B's owners were told:
// an error with code ERR_NODE_LOST and a close, within a second. It exits 0 when all of
// that happened.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/remote"
	"github.com/actornet/actornet/supervisor"
)

// The demo's children get their role from the environment (so that a test binary can be a
// child as well).
const (
	roleEnv = "ACTORNET_EXAMPLE_ROLE"
	peerEnv = "ACTORNET_EXAMPLE_PEER"
)

func main() {
	role := flag.String("role", os.Getenv(roleEnv), `"sockets" (node A) or "owners" (node B)`)
	node := flag.String("node", "127.0.0.1:0", "where this node listens for other nodes")
	peer := flag.String("peer", os.Getenv(peerEnv), "node A's address, for -role owners")
	addr := flag.String("addr", "127.0.0.1:0", "where B's server listens, on node A")
	demo := flag.Bool("demo", false, "run A and B as child processes, echo 64 MiB, kill A, exit")
	bench := flag.Bool("bench", false, "run A and B as child processes and serve the echo until interrupted (tests/bench)")
	flag.Parse()
	var err error
	switch {
	case *demo:
		err = runDemo(64<<20, os.Stdout)
	case *bench:
		err = runBench()
	default:
		err = runNode(*role, *node, *peer, *addr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "remote:", err)
		os.Exit(1)
	}
}

// runNode runs node A or B until interrupted, or until its stdin ends when it is a child of
// the demo. It prints "node <address>", and B "listening <port>" and "owner <event>" lines.
func runNode(role, nodeAddr, peer, addr string) error {
	host, port, err := splitHostPort(nodeAddr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	sys := supervisor.NewSystem(logger)
	var tree *supervisor.Tree
	switch role {
	case "sockets":
		tree = supervisor.NewTree(sys, logger)
	case "owners":
		if peer == "" {
			return errors.New("-role owners needs -peer")
		}
	default:
		return fmt.Errorf("unknown role %q: want sockets or owners", role)
	}
	n, err := remote.Start(sys, tree, remote.Config{Host: host, Port: port, Logger: logger})
	if err != nil {
		return err
	}
	fmt.Printf("node %s\n", n.Address())
	if role == "owners" {
		lhost, lport, err := splitHostPort(addr)
		if err != nil {
			return err
		}
		owner := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &serverOwner{} }))
		// HoldAccepted: an accepted socket reads only once its owner registered, so no data
		// reaches the server's owner meanwhile (Register moves its events and starts it).
		srv := n.Client(peer).SpawnServer(remote.ServerOptions{Owner: owner, HoldAccepted: true,
			Socket: remote.SocketOptions{LendReads: true}})
		sys.Root.Send(srv, &messages.Listen{Port: lport, Host: lhost})
	}
	if os.Getenv(roleEnv) != "" {
		// A child of the demo runs until its stdin ends and ends with its process: Stop
		// races inside protoactor's remote under -race (see the README's limits), and the
		// demo's test runs the children with -race.
		_, _ = io.Copy(io.Discard, os.Stdin)
		return nil
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	<-ctx.Done()
	n.Stop()
	return nil
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return host, port, err
}

// serverOwner owns the server on node A from node B: each accepted socket gets an echo
// actor of its own, on B.
type serverOwner struct{}

func (serverOwner) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.ListeningEvent:
		fmt.Printf("listening %d\n", m.Addr.Port)
	case *messages.ConnectionEvent:
		echo := ctx.Spawn(actor.PropsFromProducer(func() actor.Actor { return echo{} }))
		ctx.Send(m.Socket, &messages.Register{Owner: echo})
	case *messages.ServerErrorEvent:
		fmt.Printf("owner server error %s\n", netapi.Code(m.Err))
	}
}

// echo is examples/actors' echo, unchanged, plus a report of how its socket ended.
type echo struct{}

func (echo) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.DataEvent:
		ctx.Send(m.Socket, &messages.Write{Data: m.Data, Lease: m.Lease})
	case *messages.FullEvent:
		ctx.Send(m.Socket, &messages.Pause{})
	case *messages.DrainEvent:
		ctx.Send(m.Socket, &messages.Resume{})
	case *messages.ErrorEvent:
		fmt.Printf("owner error %s\n", netapi.Code(m.Err))
	case *messages.CloseEvent:
		fmt.Printf("owner close hadError=%t\n", m.HadError)
		ctx.Stop(ctx.Self())
	}
}

// child is a node of the demo, in a process of its own.
type child struct {
	killed, failed bool // killed by the demo; exited with an error otherwise
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	lines          chan string
}

func startChild(role string, env ...string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(append(os.Environ(), roleEnv+"="+role), env...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = childAttr() // a node dies with the demo
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 64)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	return c, nil
}

// expect returns the rest of the child's first line that starts with prefix.
func (c *child) expect(prefix string, d time.Duration) (string, error) {
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				return "", fmt.Errorf("node exited before %q", prefix)
			}
			if rest, ok := strings.CutPrefix(l, prefix); ok {
				return rest, nil
			}
		case <-timeout:
			return "", fmt.Errorf("no %q from the node within %v", prefix, d)
		}
	}
}

// stop ends the child (its stdin's end stops it) and waits for it.
func (c *child) stop() {
	c.stdin.Close()
	done := make(chan struct{})
	var err error
	go func() { err = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
		if err != nil && !c.killed {
			fmt.Fprintf(os.Stderr, "remote: a node of the demo: %v\n", err)
			c.failed = true
		}
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
	for range c.lines {
	}
}

// startPair starts node A and node B driving a server on A, and returns them and the port.
func startPair() (a, b *child, port string, err error) {
	const wait = 30 * time.Second
	if a, err = startChild("sockets"); err != nil {
		return nil, nil, "", err
	}
	aAddr, err := a.expect("node ", wait)
	if err == nil {
		b, err = startChild("owners", peerEnv+"="+aAddr)
	}
	if err == nil {
		port, err = b.expect("listening ", wait)
	}
	return a, b, port, err
}

// runBench serves the echo on A driven from B for tests/bench, until interrupted or killed
// (its nodes die with it).
func runBench() error {
	a, b, port, err := startPair()
	if a != nil {
		defer a.stop()
	}
	if b != nil {
		defer b.stop()
	}
	if err != nil {
		return err
	}
	fmt.Printf("remote echo listening on 127.0.0.1:%s\n", port)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	<-ctx.Done()
	return nil
}

// runDemo starts A and B, echoes size random bytes through A driven from B, checks them,
// kills A and waits for B's owners to be told.
func runDemo(size int, out io.Writer) (err error) {
	const wait = 30 * time.Second
	a, b, port, err := startPair()
	for _, c := range []*child{a, b} {
		if c != nil {
			defer func() {
				if c.stop(); c.failed && err == nil {
					err = errors.New("a node failed")
				}
			}()
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "node A has the sockets, node B owns them: a server on A's port %s\n", port)

	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), wait)
	if err != nil {
		return err
	}
	defer conn.Close()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	want := sha256.Sum256(data)
	start := time.Now()
	werr := make(chan error, 1)
	go func() {
		_, err := conn.Write(data)
		werr <- err
	}()
	h := sha256.New()
	_ = conn.SetDeadline(time.Now().Add(2 * wait))
	if _, err := io.CopyN(h, conn, int64(size)); err != nil {
		return fmt.Errorf("echo: %w", err)
	}
	if err := <-werr; err != nil {
		return err
	}
	if got := h.Sum(nil); string(got) != string(want[:]) {
		return fmt.Errorf("echo: sha256 %x, want %x", got, want)
	}
	d := time.Since(start)
	fmt.Fprintf(out, "echoed %d MiB through A, driven from B, sha256 checked (%.0f MB/s)\n",
		size>>20, float64(size)/d.Seconds()/1e6)

	killed := time.Now()
	a.killed = true
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	for _, w := range []string{"owner error ERR_NODE_LOST", "owner close hadError=true"} {
		if _, err := b.expect(w, wait); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "killed A (SIGKILL); B's owner got ERR_NODE_LOST and its close %v later\n",
		time.Since(killed).Round(time.Millisecond))
	return nil
}
