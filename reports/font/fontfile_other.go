//go:build !unix

package font

import "os"

func readFontFile(path string) ([]byte, error) { return os.ReadFile(path) }
