// Command reconnect keeps a request stream alive across crashes of its server: a
// netapi.Client sends numbered requests to a line server and counts the answers; the server
// is a process of its own, killed with SIGKILL and started again, and the client comes back
// each time after a backoff.
//
//	go run ./examples/reconnect -serve -addr 127.0.0.1:7003   # the server alone
//	go run ./examples/reconnect -demo                         # both: 5 kill -9s, then the counts
//
// With -demo it starts the server as a child process, runs the client against it, kills the
// server (SIGKILL) five times and starts it again each time, and prints how many requests
// were answered, how many failed with their connection, and how often the client came back.
// It exits 0 when the client came back after every kill and every request was answered or
// failed, none lost without a word.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"time"

	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7003", "the server's address")
	serve := flag.Bool("serve", false, "be the server: answer each line with \"ok <line>\"")
	demo := flag.Bool("demo", false, "run the server as a child, kill it 5 times, count what the client saw")
	flag.Parse()
	var err error
	switch {
	case *serve:
		err = runServer(*addr)
	case *demo:
		err = runDemo(*addr, 5)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reconnect:", err)
		os.Exit(1)
	}
}

// runServer answers every line with "ok <line>" until interrupted.
func runServer(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("line server listening on", ln.Addr())
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewScanner(c)
				for r.Scan() {
					if _, err := fmt.Fprintf(c, "ok %s\n", r.Text()); err != nil {
						return
					}
				}
			}()
		}
	}()
	stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	<-stop.Done()
	return ln.Close()
}

// serveEnv makes the example's test binary the server (its TestMain), as -serve does here.
const serveEnv = "ACTORNET_RECONNECT_SERVE"

// server is the server as a child process.
type server struct{ cmd *exec.Cmd }

func startServer(addr string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve", "-addr", addr)
	cmd.Env = append(os.Environ(), serveEnv+"="+addr) // for the example's test binary
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if !bufio.NewScanner(out).Scan() { // its "listening" line
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, errors.New("the server did not start")
	}
	return &server{cmd: cmd}, nil
}

func (s *server) kill() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() } // SIGKILL

// runDemo runs the client against a server it kills kills times.
func runDemo(addr string, kills int) error {
	if _, port, _ := net.SplitHostPort(addr); port == "0" { // the server needs a fixed port
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		addr = ln.Addr().String()
		_ = ln.Close()
	}
	host, portStr, _ := net.SplitHostPort(addr)
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return err
	}
	srv, err := startServer(addr)
	if err != nil {
		return err
	}
	defer func() { srv.kill() }()

	rt := netapi.New()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rt.Shutdown(ctx)
	}()
	c := rt.NewClient(netapi.ClientOptions{
		ConnectOptions: netapi.ConnectOptions{Port: port, Host: host},
		Retry:          supervisor.Budget{MaxRestarts: 100, Window: time.Minute, MinBackoff: 20 * time.Millisecond, MaxBackoff: time.Second},
		FailWhileDown:  true, // a request made while down fails at once; the stream goes on
	})
	var mu sync.Mutex
	var sent, answered, failed, ups int
	upCh := make(chan struct{}, kills+1)
	c.OnUp(func() { mu.Lock(); ups++; mu.Unlock(); upCh <- struct{}{} })
	c.OnData(func(b []byte) {
		mu.Lock()
		for _, ch := range b {
			if ch == '\n' {
				answered++
			}
		}
		mu.Unlock()
	})
	closed := make(chan struct{})
	c.OnClose(func() { close(closed) })

	// The request stream: one every millisecond, whatever happens to the server.
	stop := make(chan struct{})
	streamDone := make(chan struct{})
	go func() {
		defer close(streamDone)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			mu.Lock()
			sent++
			mu.Unlock()
			c.Write([]byte(fmt.Sprintf("req %d\n", n)), func(err error) {
				if err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			})
		}
	}()
	for i := 0; i <= kills; i++ {
		select {
		case <-upCh:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("the client did not come back after kill %d", i)
		}
		time.Sleep(200 * time.Millisecond) // requests flow
		if i == kills {
			break
		}
		srv.kill()
		time.Sleep(100 * time.Millisecond) // down: requests fail meanwhile
		if srv, err = startServer(addr); err != nil {
			return err
		}
	}
	close(stop)
	<-streamDone
	time.Sleep(100 * time.Millisecond) // the last answers
	c.Close()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		return errors.New("the client did not close")
	}
	mu.Lock()
	defer mu.Unlock()
	lost := sent - answered - failed
	fmt.Printf("demo: %d kill -9s, the client came back %d times; %d requests: %d answered, %d failed at once, %d cut with their connection\n",
		kills, ups-1, sent, answered, failed, lost)
	if ups != kills+1 || answered == 0 || lost < 0 {
		return fmt.Errorf("came back %d times of %d, %d answered, %d unaccounted", ups-1, kills, answered, lost)
	}
	return nil
}
