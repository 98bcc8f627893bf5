// qy-compose-check: loads docker/compose.yaml with compose-go (the loader `docker compose`
// itself uses), normalised and validated against the compose schema, and prints the
// project as JSON. With -dockerfile FILE... it instead parses Dockerfiles with BuildKit's
// parser and prints each one's instructions (FROM, COPY ...) as JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

type instruction struct {
	Cmd   string   `json:"cmd"`
	Flags []string `json:"flags"`
	Args  []string `json:"args"`
	Line  int      `json:"line"`
}

func dockerfiles(paths []string) error {
	out := map[string][]instruction{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		res, err := parser.Parse(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		list := []instruction{}
		for _, n := range res.AST.Children {
			args := []string{}
			for a := n.Next; a != nil; a = a.Next {
				args = append(args, a.Value)
			}
			flags := n.Flags
			if flags == nil {
				flags = []string{}
			}
			list = append(list, instruction{strings.ToUpper(n.Value), flags, args, n.StartLine})
		}
		out[p] = list
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func main() {
	envFiles := flag.String("env-file", "", "comma-separated env files for interpolation")
	df := flag.Bool("dockerfile", false, "parse the Dockerfiles given as arguments")
	flag.Parse()
	if *df {
		if err := dockerfiles(flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "dockerfile:", err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: qy-compose-check [-env-file a,b] compose.yaml [override.yaml...] | -dockerfile FILE...")
		os.Exit(2)
	}
	opts := []cli.ProjectOptionsFn{cli.WithOsEnv, cli.WithNormalization(true), cli.WithResolvedPaths(true)}
	if *envFiles != "" {
		opts = append(opts, cli.WithEnvFiles(strings.Split(*envFiles, ",")...), cli.WithDotEnv)
	}
	po, err := cli.NewProjectOptions(flag.Args(), opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compose:", err)
		os.Exit(1)
	}
	project, err := po.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "compose:", err)
		os.Exit(1)
	}
	b, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, "compose:", err)
		os.Exit(1)
	}
	os.Stdout.Write(b)
	os.Stdout.WriteString("\n")
}
