package main

import (
	"fmt"
	"math"
	"strings"
)

// markdown renders the report as one table: a row per figure, a column per server, each cell
// the absolute figure and its ratio to the run's baseline (plain Go, or crypto/tls with -tls).
func markdown(rep Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s with %s, Node %s, %d CPUs, %s per timed workload, median of %d rounds; "+
		"%d idle connections, bursts on %d.\n\n", rep.Date.Format("2006-01-02"), rep.Go, orNone(rep.Node), rep.CPUs,
		rep.Duration, rep.Rounds, rep.Conns["idle"], rep.Conns["burst"])
	b.WriteString("| figure |")
	for _, s := range rep.Servers {
		fmt.Fprintf(&b, " %s |", s)
	}
	b.WriteString("\n|---|")
	for range rep.Servers {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, m := range metrics {
		if !measured(rep, m.Key) {
			continue
		}
		fmt.Fprintf(&b, "| %s (%s) |", m.Label, m.Unit)
		for _, s := range rep.Servers {
			v, ok := rep.Results[s][m.Key]
			if !ok {
				b.WriteString(" – |")
				continue
			}
			fmt.Fprintf(&b, " %s", format(v))
			if r, ok := ratio(rep, s, m.Key); ok && s != rep.Baseline {
				fmt.Fprintf(&b, " (%.2f×)", r)
			}
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "\nNote: %s\n", n)
	}
	return b.String()
}

func measured(rep Report, key string) bool {
	for _, r := range rep.Results {
		if _, ok := r[key]; ok {
			return true
		}
	}
	return false
}

func ratio(rep Report, server, key string) (float64, bool) {
	base, ok1 := rep.Results[rep.Baseline][key]
	v, ok2 := rep.Results[server][key]
	if !ok1 || !ok2 || base == 0 {
		return 0, false
	}
	return v / base, true
}

func format(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// chart draws the ratios to the baseline as grouped horizontal bars, one group per figure, with
// a line at 1.0.
func chart(rep Report) string {
	colors := []string{"#888888", "#1f77b4", "#2ca02c", "#d62728", "#9467bd"}
	var rows []metric
	for _, m := range metrics {
		if measured(rep, m.Key) {
			rows = append(rows, m)
		}
	}
	maxRatio := 1.0
	for _, m := range rows {
		for _, s := range rep.Servers {
			if r, ok := ratio(rep, s, m.Key); ok {
				maxRatio = math.Max(maxRatio, r)
			}
		}
	}
	const left, width, barH, gap = 260, 420, 12, 14
	groupH := barH*len(rep.Servers) + gap
	height := 40 + groupH*len(rows) + 20*len(rep.Servers) + 20
	scale := float64(width) / maxRatio
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", left+width+80, height)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="13">Ratio to %s (higher is better for rates, lower for latency and memory)</text>`+"\n", rep.Baseline)
	y := 40
	for _, m := range rows {
		fmt.Fprintf(&b, `<text x="10" y="%d">%s</text>`+"\n", y+barH, m.Label)
		for i, s := range rep.Servers {
			if r, ok := ratio(rep, s, m.Key); ok {
				w := r * scale
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, left, y+i*barH, w, barH-2, colors[i%len(colors)])
				fmt.Fprintf(&b, `<text x="%.1f" y="%d">%.2f</text>`+"\n", float64(left)+w+4, y+i*barH+barH-3, r)
			}
		}
		y += groupH
	}
	one := float64(left) + scale
	fmt.Fprintf(&b, `<line x1="%.1f" y1="30" x2="%.1f" y2="%d" stroke="black" stroke-dasharray="3,3"/>`+"\n", one, one, y)
	for i, s := range rep.Servers {
		fmt.Fprintf(&b, `<rect x="10" y="%d" width="10" height="10" fill="%s"/><text x="26" y="%d">%s</text>`+"\n", y+10+i*20, colors[i%len(colors)], y+19+i*20, s)
	}
	b.WriteString("</svg>\n")
	return b.String()
}
