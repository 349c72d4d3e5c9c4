package actors_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

const emfileChildEnv = "ACTORNET_EMFILE_CHILD"

// runEMFILEChild is the server side of TestServerSurvivesEMFILE, in a process of its own
// whose descriptor limit is low: it listens, prints its port, and then one line per
// connection and per accept error, until its stdin closes.
func runEMFILEChild() {
	limit, _ := strconv.Atoi(os.Getenv(emfileChildEnv))
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: uint64(limit), Max: uint64(limit)}); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(1)
	}
	sys := supervisor.NewSystem(nil)
	tree := supervisor.NewTree(sys, nil)
	lines := make(chan string, 1000)
	owner := sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.ListeningEvent:
			lines <- fmt.Sprint("port ", m.Addr.Port)
		case *messages.ConnectionEvent:
			lines <- "connection"
		case *messages.ServerErrorEvent:
			if errors.Is(m.Err, syscall.EMFILE) {
				lines <- "emfile"
			} else {
				lines <- "error " + m.Err.Error()
			}
		}
	}))
	srv, err := actors.SpawnServer(tree, actors.ServerConfig{Owner: owner})
	if err != nil {
		fmt.Println("spawn:", err)
		os.Exit(1)
	}
	sys.Root.Send(srv, &messages.Listen{Host: "127.0.0.1", Backlog: 512})
	go func() {
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // the parent closes stdin: stop
		os.Exit(0)
	}()
	for l := range lines {
		fmt.Println(l)
	}
}

// A server out of descriptors reports EMFILE, keeps running, and accepts again once
// descriptors are free.
func TestServerSurvivesEMFILE(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), emfileChildEnv+"=40")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() {
		stdin.Close()
		_ = cmd.Wait()
	}()
	lines := make(chan string, 1000)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	next := func() string {
		select {
		case l, ok := <-lines:
			require.True(t, ok, "the child exited")
			return l
		case <-time.After(wait):
			t.Fatal("the child said nothing")
			return ""
		}
	}
	first := next()
	require.True(t, strings.HasPrefix(first, "port "), "got %q", first)
	port, _ := strconv.Atoi(strings.TrimPrefix(first, "port "))

	// 60 connections against a limit of 40 descriptors: the kernel completes them all (the
	// backlog), the child accepts until it runs out.
	var conns []net.Conn
	for range 60 {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		require.NoError(t, err)
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	accepted := 0
	for {
		l := next()
		if l == "emfile" {
			break
		}
		require.Equal(t, "connection", l)
		accepted++
	}
	require.Less(t, accepted, 60)
	// Free descriptors: the child's sockets see EOF and close; the server accepts the rest.
	for _, c := range conns[:accepted] {
		c.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for accepted < 60 && ctx.Err() == nil {
		select {
		case l := <-lines:
			if l == "connection" {
				accepted++
			}
		case <-ctx.Done():
		}
	}
	assert.Equal(t, 60, accepted, "the server did not accept again after EMFILE")
}
