// Command bench measures actornet's echo servers against a plain Go one and Node.js's, each
// run as a process of its own and driven by the same load generator, and prints one markdown
// table with absolute figures and ratios to plain Go, measured in the same run. It also
// writes the table as JSON and a chart of the ratios as SVG.
//
//	go run ./tests/bench                                  # every workload, 3 s each
//	go run ./tests/bench -duration 5s -workloads pp50,stream -out bench-results
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/actornet/actornet/internal/certs"
)

// metric is one figure of the table; lowerIsBetter marks latency and memory.
type metric struct {
	Key, Label, Unit string
	lowerIsBetter    bool
}

var metrics = []metric{
	{"pp50_rps", "ping-pong, 50 conns", "round trips/s", false},
	{"pp50_p50", "ping-pong, 50 conns, p50", "µs", true},
	{"pp50_p99", "ping-pong, 50 conns, p99", "µs", true},
	{"pp50_cpu", "ping-pong, 50 conns, server CPU per round trip", "µs", true},
	{"pp500_rps", "ping-pong, 500 conns", "round trips/s", false},
	{"pp500_p99", "ping-pong, 500 conns, p99", "µs", true},
	{"stream_mbs", "streaming 16 KiB writes, 10 conns", "MB/s", false},
	{"pipe_rps", "a reply per request, 16 pipelined, 50 conns", "requests/s", false},
	{"pipe_cpu", "a reply per request, server CPU per request", "ns", true},
	{"idle_bytes", "memory per idle connection", "bytes", true},
	{"burst_bytes", "memory per connection after a burst", "bytes", true},
	{"base_bytes", "memory before any connection", "bytes", true},
	{"conn_rate", "connections opened and closed", "conns/s", false},
}

var workloadMetrics = map[string][]string{
	"pp50":     {"pp50_rps", "pp50_p50", "pp50_p99", "pp50_cpu"},
	"pp500":    {"pp500_rps", "pp500_p99"},
	"stream":   {"stream_mbs"},
	"pipeline": {"pipe_rps", "pipe_cpu"},
	"idle":     {"idle_bytes"},
	"burst":    {"burst_bytes", "base_bytes"},
	// idle-burst is burst by the name issue "Scale" gave it.
	"idle-burst": {"burst_bytes", "base_bytes"},
	"connrate":   {"conn_rate"},
}

// Report is what one run measured; it is written as JSON.
type Report struct {
	Date     time.Time                     `json:"date"`
	Go       string                        `json:"go"`
	Node     string                        `json:"node,omitempty"`
	CPUs     int                           `json:"cpus"`
	Duration string                        `json:"duration"`
	Rounds   int                           `json:"rounds"`
	Servers  []string                      `json:"servers"`
	Baseline string                        `json:"baseline"` // the server the ratios are to
	Conns    map[string]int                `json:"conns"`    // connections of the idle and burst workloads
	Results  map[string]map[string]float64 `json:"results"`
	Notes    []string                      `json:"notes,omitempty"`
}

func main() {
	duration := flag.Duration("duration", 3*time.Second, "how long each timed workload runs")
	workloads := flag.String("workloads", "pp50,pp500,stream,pipeline,idle,burst,connrate", "workloads to run")
	servers := flag.String("servers", "plain Go,"+spliceGo+",actornet netapi,"+oneLoop+",actornet actors,Node.js",
		"servers to measure; also \""+ownedData+"\" (examples/echo -reuse=false), \""+framedLines+"\" (pipeline only) and \""+remoteName+"\" (remote.go)")
	idleConns := flag.Int("idle-conns", 19000, "connections held open for the memory workload (the machine allows 20,000 descriptors per process)")
	burstConns := flag.Int("burst-conns", 5000, "connections of the burst workload (plain Go's splice echo holds two pipes per busy one)")
	rounds := flag.Int("rounds", 3, "rounds per workload; each server's median is reported")
	out := flag.String("out", "bench-results", "directory for the JSON report and the SVG chart")
	withTLS := flag.Bool("tls", false, "measure the TLS servers instead (crypto/tls, examples/tls, Node's tls): "+
		"the load generator's connections are TLS; unless given, -servers and -workloads are theirs and -idle-conns is 5000")
	flag.Parse()
	if *withTLS {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["servers"] {
			*servers = goTLS + "," + netapiTLS + "," + nodeTLS
		}
		if !set["workloads"] {
			*workloads = "pp50,stream,idle,connrate"
		}
		if !set["idle-conns"] {
			*idleConns = 5000 // a handshake each: 19,000 take minutes per server
		}
	}
	tlsMode = *withTLS
	if err := run(*duration, split(*workloads), split(*servers), conns{idle: *idleConns, burst: *burstConns},
		max(*rounds, 1), *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// tlsMode is -tls: the servers serve TLS and the load generator dials TLS.
var tlsMode bool

// writeTLSFiles makes a CA and a certificate for 127.0.0.1, writes the certificate and its
// key for the servers, and makes the load generator trust the CA.
func writeTLSFiles(dir string) (tlsFiles, error) {
	ca, err := certs.NewAuthority("actornet bench CA")
	if err != nil {
		return tlsFiles{}, err
	}
	pair, err := ca.Issue(certs.Options{Names: []string{"127.0.0.1", "localhost"}})
	if err != nil {
		return tlsFiles{}, err
	}
	tf := tlsFiles{cert: filepath.Join(dir, "cert.pem"), key: filepath.Join(dir, "key.pem")}
	if err := os.WriteFile(tf.cert, pair.CertPEM, 0o600); err != nil {
		return tf, err
	}
	if err := os.WriteFile(tf.key, pair.KeyPEM, 0o600); err != nil {
		return tf, err
	}
	return tf, useTLS(ca.PEM)
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func run(d time.Duration, workloads, serverNames []string, n conns, rounds int, outDir string) error {
	if err := chdirToModule(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tmp, err := os.MkdirTemp("", "actornet-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	want := map[string]bool{}
	for _, n := range serverNames {
		want[n] = true
	}
	var tf tlsFiles
	if tlsMode {
		if tf, err = writeTLSFiles(tmp); err != nil {
			return err
		}
	}
	progress("building the servers")
	servers, notes, err := buildServers(ctx, tmp, want, tf)
	if err != nil {
		return err
	}
	rep := Report{Date: time.Now().UTC(), Go: runtime.Version(), CPUs: runtime.NumCPU(), Baseline: "plain Go",
		Duration: d.String(), Rounds: rounds, Results: map[string]map[string]float64{}, Notes: notes}
	if v, err := exec.Command("node", "--version").Output(); err == nil {
		rep.Node = strings.TrimSpace(string(v))
	}
	if tlsMode {
		rep.Baseline = goTLS
	}
	rep.Conns = map[string]int{"idle": n.idle, "burst": n.burst}
	for _, s := range servers {
		rep.Servers = append(rep.Servers, s.Name)
		rep.Results[s.Name] = map[string]float64{}
	}
	// The machines are small and noisy: each workload runs in rounds, the servers in a
	// different order each round, and each figure is a server's median over the rounds.
	for _, w := range workloads {
		samples := map[string]map[string][]float64{}
		for r := range rounds {
			for i := range servers {
				s := servers[(i+r)%len(servers)]
				progress(fmt.Sprintf("%s, round %d/%d: %s", w, r+1, rounds, s.Name))
				res, err := measure(ctx, s, d, w, n)
				if err != nil {
					rep.Notes = append(rep.Notes, fmt.Sprintf("%s, %s: %s", s.Name, w, firstLine(err)))
					continue
				}
				if samples[s.Name] == nil {
					samples[s.Name] = map[string][]float64{}
				}
				for k, v := range res {
					samples[s.Name][k] = append(samples[s.Name][k], v)
				}
			}
		}
		for name, byKey := range samples {
			for k, vs := range byKey {
				rep.Results[name][k] = median(vs)
			}
		}
	}
	progress("done")
	fmt.Fprintln(os.Stderr)
	table := markdown(rep)
	fmt.Print(table)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(filepath.Join(outDir, "bench.json"), js, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, "bench.md"), []byte(table), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(outDir, "ratios.svg"), []byte(chart(rep)), 0o644)
}

// measure starts s afresh for one workload, so that one workload's leftovers never weigh on
// the next.
// conns is how many connections the memory workloads open.
type conns struct{ idle, burst int }

func measure(ctx context.Context, s *server, d time.Duration, w string, n conns) (map[string]float64, error) {
	if _, ok := workloadMetrics[w]; !ok {
		return nil, fmt.Errorf("unknown workload %q", w)
	}
	command := s.command
	if w == "idle" && s.Name == spliceGo && n.idle > 6000 {
		// Two pipe descriptors per busy connection: it runs out of descriptors, and its
		// accept loop then spins (EMFILE) while the load generator waits.
		return nil, fmt.Errorf("cannot hold %d connections under the descriptor limit", n.idle)
	}
	if w == "pipeline" {
		if command = s.lines; command == nil {
			return nil, nil // this server has no line-by-line twin: the cell stays empty
		}
	}
	if err := s.start(ctx, command); err != nil {
		return nil, err
	}
	defer s.stop()
	res := map[string]float64{}
	err := runWorkload(s, w, d, n, res)
	return res, err
}

func median(vs []float64) float64 {
	slices.Sort(vs)
	return vs[len(vs)/2]
}

func runWorkload(s *server, w string, d time.Duration, n conns, res map[string]float64) error {
	us := func(t time.Duration) float64 { return float64(t.Microseconds()) }
	switch w {
	case "pp50":
		var rps float64
		cpu, err := cpuPer(s, d, func() (float64, error) {
			var p50, p99 time.Duration
			var err error
			rps, p50, p99, err = pingPong(s.Addr, 50, d)
			res["pp50_p50"], res["pp50_p99"] = us(p50), us(p99)
			return rps, err
		})
		res["pp50_rps"], res["pp50_cpu"] = rps, cpu.Seconds()*1e6
		return err
	case "pp500":
		rps, _, p99, err := pingPong(s.Addr, 500, d)
		res["pp500_rps"], res["pp500_p99"] = rps, us(p99)
		return err
	case "stream":
		mbs, err := stream(s.Addr, 10, d)
		res["stream_mbs"] = mbs
		return err
	case "pipeline":
		var rps float64
		cpu, err := cpuPer(s, d, func() (float64, error) {
			var err error
			rps, err = pipelined(s.Addr, 50, d)
			return rps, err
		})
		res["pipe_rps"], res["pipe_cpu"] = rps, float64(cpu.Nanoseconds())
		return err
	case "idle":
		per, err := idleMemory(s, n.idle)
		res["idle_bytes"] = per
		return err
	case "burst", "idle-burst":
		per, base, err := idleBurst(s, n.burst)
		res["burst_bytes"], res["base_bytes"] = per, base
		return err
	case "connrate":
		rate, err := connRate(s.Addr, d)
		res["conn_rate"] = rate
		return err
	case "rpp": // remote.go
		return remotePingPong(s, d, res)
	}
	return nil
}

// cpuPer runs a timed workload of about d that returns a rate per second, and returns the
// server's CPU time per operation.
func cpuPer(s *server, d time.Duration, run func() (rate float64, err error)) (time.Duration, error) {
	before, err := s.cpu()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	rate, err := run()
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	after, err := s.cpu()
	if err != nil || rate == 0 {
		return 0, err
	}
	return time.Duration(float64(after-before) / (rate * elapsed.Seconds())), nil
}

func progress(msg string) { fmt.Fprintf(os.Stderr, "\r\033[Kbench: %s", msg) }

// chdirToModule moves to the module's root, where the server packages are.
func chdirToModule() error {
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.Contains(string(b), "module github.com/actornet/actornet") {
			return os.Chdir(dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return fmt.Errorf("run it inside the actornet module")
		}
		dir = parent
	}
}

// firstLine is an error's first line, with how many more there were: a workload that fails
// on thousands of connections says so once.
func firstLine(err error) string {
	lines := strings.Split(err.Error(), "\n")
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%s (and %d more)", lines[0], len(lines)-1)
}
