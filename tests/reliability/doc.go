// Package reliability tries what a network and its users throw at a long-running service:
// bad input, wrong-state calls, resets, slow and hostile peers, panicking callbacks, load,
// and random command sequences; it checks that nothing panics, hangs, leaks or loses a byte.
package reliability
