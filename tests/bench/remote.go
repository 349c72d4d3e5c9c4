package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The remote workloads: sockets on one node driven by owners on another (examples/remote
// -bench: node A has the sockets, node B the echo actors), beside the local actor face.
//
//	go run ./tests/bench -servers "actornet actors,actornet remote" -workloads pp50,stream,rpp
const remoteName = "actornet remote" // examples/remote: sockets on node A, echo owners on node B

// remoteServers are the servers of this file; not run unless asked for with -servers.
var remoteServers = []struct {
	name, pkg string
	args      []string
	lines     []string
}{
	{remoteName, "./examples/remote", []string{"-bench"}, nil},
}

func init() {
	metrics = append(metrics,
		metric{"pp1_p50", "ping-pong, 1 conn, p50", "µs", true},
		metric{"actor_rpp_p50", "protoactor's remote actor ping-pong, p50", "µs", true})
	workloadMetrics["rpp"] = []string{"pp1_p50", "actor_rpp_p50"}
}

// remotePingPong measures the round trip of one connection through s and, for the remote
// server, protoactor's own remote actor ping-pong between two processes (tests/bench/remotepp),
// the yardstick of the remote owner's round trip.
func remotePingPong(s *server, d time.Duration, res map[string]float64) error {
	_, p50, _, err := pingPong(s.Addr, 1, d)
	if err != nil {
		return err
	}
	res["pp1_p50"] = float64(p50.Microseconds())
	if s.Name != remoteName {
		return nil
	}
	p50, err = actorPingPong(d)
	res["actor_rpp_p50"] = float64(p50.Microseconds())
	return err
}

// actorPingPong runs remotepp's pong and ping nodes and returns the round trip's p50.
func actorPingPong(d time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "actornet-remotepp")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "remotepp")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./tests/bench/remotepp")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("building remotepp: %w", err)
	}
	pong := exec.CommandContext(ctx, bin, "-role", "pong")
	pong.Stderr = os.Stderr
	stdin, err := pong.StdinPipe() // its end stops pong
	if err != nil {
		return 0, err
	}
	defer stdin.Close()
	stdout, err := pong.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := pong.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = pong.Process.Kill(); _ = pong.Wait() }()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		return 0, fmt.Errorf("remotepp pong said nothing")
	}
	addr := strings.TrimPrefix(sc.Text(), "node ")
	out, err := exec.CommandContext(ctx, bin, "-role", "ping", "-peer", addr, "-duration", d.String()).Output()
	if err != nil {
		return 0, fmt.Errorf("remotepp ping: %w", err)
	}
	var p50, p99, n int64
	if _, err := fmt.Sscanf(string(out), "rtt p50 %d p99 %d n %d", &p50, &p99, &n); err != nil {
		return 0, fmt.Errorf("remotepp ping said %q: %w", out, err)
	}
	return time.Duration(p50) * time.Microsecond, nil
}
