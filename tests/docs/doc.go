// Package docs holds the test that keeps the README's code honest: every Go snippet in it must
// be a part of a file that the test suite compiles (a runnable example or an example
// program), so that no snippet can drift out of date.
package docs
