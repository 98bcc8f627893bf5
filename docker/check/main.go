// dockercheck reads the production files with the parsers Docker itself uses, and prints
// what they say as JSON (or the parser's error, exit 1). No Docker engine is needed: the
// tests (tests/docker/) compare the JSON with what runs natively.
//
//	dockercheck compose FILE [ENV_FILE...]  the project, loaded and normalised by compose-go
//	dockercheck dockerfile FILE              each instruction, parsed by BuildKit's parser
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

type instruction struct {
	Cmd   string   `json:"cmd"`
	Args  []string `json:"args"`
	Flags []string `json:"flags"`
	Line  int      `json:"line"`
}

func compose(files []string) ([]byte, error) {
	opts, err := cli.NewProjectOptions(files[:1],
		cli.WithOsEnv,
		cli.WithEnvFiles(files[1:]...),
		cli.WithDotEnv,
		cli.WithName("qingyang"),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return nil, err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}
	return project.MarshalJSON()
}

func dockerfile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	result, err := parser.Parse(f)
	if err != nil {
		return nil, err
	}
	out := []instruction{}
	for _, node := range result.AST.Children {
		in := instruction{Cmd: node.Value, Args: []string{}, Flags: node.Flags, Line: node.StartLine}
		if in.Flags == nil {
			in.Flags = []string{}
		}
		for arg := node.Next; arg != nil; arg = arg.Next {
			in.Args = append(in.Args, arg.Value)
		}
		out = append(out, in)
	}
	return json.Marshal(out)
}

func main() {
	var out []byte
	var err error
	switch {
	case len(os.Args) >= 3 && os.Args[1] == "compose":
		out, err = compose(os.Args[2:])
	case len(os.Args) == 3 && os.Args[1] == "dockerfile":
		out, err = dockerfile(os.Args[2])
	default:
		fmt.Fprintln(os.Stderr, "usage: dockercheck compose FILE [ENV_FILE...] | dockercheck dockerfile FILE")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "refused:", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
