package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	flag "github.com/spf13/pflag"
)

// Shell completion scripts, generated from the commands' own flag
// registrations (envFlags, changeFlags, planFlags) so that a flag added
// there is completed without further work. The scripts are static: the
// shell never runs pipup to complete, which keeps completion instant and
// works before any environment exists. (cobra generates such scripts too,
// but only for cobra commands; restructuring every command for that was
// more churn than these ~200 lines.)

// completionCommand is one command as the completion scripts see it.
type completionCommand struct {
	name, summary string
	fs            *flag.FlagSet
	args          string // what positional arguments are: "packages", "shells" or ""
}

func newCompletionSet(name string, register ...func(*flag.FlagSet)) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, r := range register {
		r(fs)
	}
	return fs
}

// completionCommands mirrors main's dispatch; TestCompletionMatchesHelp
// checks each set against the command's --help.
func completionCommands() []completionCommand {
	env := func(fs *flag.FlagSet) { new(envFlags).register(fs) }
	change := func(fs *flag.FlagSet) { new(changeFlags).register(fs) }
	plan := func(fs *flag.FlagSet) { new(planFlags).register(fs) }
	allFlag := func(fs *flag.FlagSet) { fs.Bool("all", false, "upgrade every outdated package") }
	none := func(*flag.FlagSet) {}
	return []completionCommand{
		{"", "check, pick and upgrade in the terminal UI", newCompletionSet("pipup", env, change, plan, func(fs *flag.FlagSet) {
			fs.Bool("version", false, "print the version")
		}), "packages"},
		{"list", "list outdated packages", newCompletionSet("pipup list", env, func(fs *flag.FlagSet) { listOnlyFlags(fs) }), "packages"},
		{"upgrade", "upgrade packages", newCompletionSet("pipup upgrade", env, change, allFlag, plan), "packages"},
		{"undo", "restore the versions before the last upgrade", newCompletionSet("pipup undo", env, change), ""},
		{"history", "list the saved snapshots", newCompletionSet("pipup history", env), ""},
		{"config", "show pipup's settings and where each came from", newCompletionSet("pipup config", func(fs *flag.FlagSet) { configOnlyFlags(fs) }), ""},
		{"cache", "show or empty pipup's HTTP cache (info, clean)", newCompletionSet("pipup cache", none), ""},
		{"completion", "print a shell completion script", newCompletionSet("pipup completion", none), "shells"},
		{"help", "show help", newCompletionSet("pipup help", none), ""},
		{"version", "print the version", newCompletionSet("pipup version", none), ""},
	}
}

// runCompletion is `pipup completion bash|zsh|fish`.
func runCompletion(args []string, io stdio) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(io.out, completionUsage)
		return exitOK
	}
	if len(args) != 1 {
		fmt.Fprintf(io.err, "pipup completion: name one shell: bash, zsh or fish (see pipup completion --help)\n")
		return exitUsage
	}
	var err error
	switch args[0] {
	case "bash":
		err = writeBash(io.out, completionCommands())
	case "zsh":
		err = writeZsh(io.out, completionCommands())
	case "fish":
		err = writeFish(io.out, completionCommands())
	default:
		fmt.Fprintf(io.err, "pipup completion: unknown shell %q: bash, zsh or fish\n", args[0])
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(io.err, "pipup completion: %v\n", err)
		return exitFailed
	}
	return exitOK
}

const completionUsage = `Usage: pipup completion bash|zsh|fish

Print a script that completes pipup's commands and options in that shell.

  bash:  source <(pipup completion bash)      # in ~/.bashrc
  zsh:   pipup completion zsh > "${fpath[1]}/_pipup"
  fish:  pipup completion fish > ~/.config/fish/completions/pipup.fish
`

// flagInfo is one flag as the scripts need it.
type flagInfo struct {
	long, short, usage string
	repeatable         bool
	value              string // "" for a boolean; else its kind: "path", "URL", ...
}

func flagsOf(fs *flag.FlagSet) []flagInfo {
	var out []flagInfo
	fs.VisitAll(func(f *flag.Flag) {
		varname, usage := flag.UnquoteUsage(f)
		_, list := f.Value.(*stringList)
		fi := flagInfo{long: f.Name, short: f.Shorthand, usage: firstClause(usage), repeatable: list}
		if f.Value.Type() != "bool" {
			fi.value = varname
			if fi.value == "" {
				fi.value = "value"
			}
		}
		out = append(out, fi)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].long < out[j].long })
	return out
}

// firstClause keeps a description short enough for a completion menu.
func firstClause(s string) string {
	if i := strings.IndexAny(s, "(;"); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// takesPath reports values the shell should complete as file names.
func (f flagInfo) takesPath() bool {
	return f.value == "path" || f.long == "find-links"
}

func writeBash(w io.Writer, cmds []completionCommand) error {
	var b strings.Builder
	b.WriteString("# bash completion for pipup (generated by `pipup completion bash`)\n")
	b.WriteString("_pipup() {\n")
	b.WriteString("    local cur prev cmd i\n")
	b.WriteString("    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n")
	b.WriteString("    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n")
	b.WriteString("    cmd=\"\"\n")
	var names []string
	for _, c := range cmds {
		if c.name != "" {
			names = append(names, c.name)
		}
	}
	b.WriteString("    for ((i = 1; i < COMP_CWORD; i++)); do\n")
	fmt.Fprintf(&b, "        case \"${COMP_WORDS[i]}\" in %s) cmd=\"${COMP_WORDS[i]}\"; break ;; esac\n", strings.Join(names, "|"))
	b.WriteString("    done\n")
	// A flag that takes a value: complete the value, never another flag.
	var pathFlags, valueFlags []string
	seen := map[string]bool{}
	for _, c := range cmds {
		for _, f := range flagsOf(c.fs) {
			if f.value == "" || seen[f.long] {
				continue
			}
			seen[f.long] = true
			opts := []string{"--" + f.long}
			if f.short != "" {
				opts = append(opts, "-"+f.short)
			}
			if f.takesPath() {
				pathFlags = append(pathFlags, opts...)
			} else {
				valueFlags = append(valueFlags, opts...)
			}
		}
	}
	b.WriteString("    case \"$prev\" in\n")
	fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", strings.Join(pathFlags, "|"))
	fmt.Fprintf(&b, "        %s) COMPREPLY=(); return ;;\n", strings.Join(valueFlags, "|"))
	b.WriteString("    esac\n")
	b.WriteString("    local opts\n")
	b.WriteString("    case \"$cmd\" in\n")
	for _, c := range cmds {
		var opts []string
		for _, f := range flagsOf(c.fs) {
			opts = append(opts, "--"+f.long)
			if f.short != "" {
				opts = append(opts, "-"+f.short)
			}
		}
		opts = append(opts, "--help", "-h")
		pattern := c.name
		if pattern == "" {
			pattern = `""`
		}
		fmt.Fprintf(&b, "        %s) opts=%q ;;\n", pattern, strings.Join(opts, " "))
	}
	b.WriteString("    esac\n")
	b.WriteString("    if [[ \"$cur\" == -* ]]; then\n")
	b.WriteString("        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n")
	b.WriteString("    elif [[ -z \"$cmd\" ]]; then\n")
	fmt.Fprintf(&b, "        COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(names, " "))
	b.WriteString("    elif [[ \"$cmd\" == completion ]]; then\n")
	b.WriteString("        COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\"))\n")
	b.WriteString("    fi\n")
	b.WriteString("}\n")
	b.WriteString("complete -F _pipup pipup\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// zshQuote escapes a description for _arguments' [...] inside '...'.
func zshQuote(s string) string {
	r := strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`, `\`, `\\`)
	return r.Replace(s)
}

func writeZsh(w io.Writer, cmds []completionCommand) error {
	var b strings.Builder
	b.WriteString("#compdef pipup\n")
	b.WriteString("# zsh completion for pipup (generated by `pipup completion zsh`)\n\n")
	b.WriteString("_pipup() {\n")
	b.WriteString("    local -a commands\n")
	b.WriteString("    commands=(\n")
	for _, c := range cmds {
		if c.name != "" {
			fmt.Fprintf(&b, "        '%s:%s'\n", c.name, zshQuote(c.summary))
		}
	}
	b.WriteString("    )\n")
	b.WriteString("    local cmd=\"\"\n")
	b.WriteString("    if (( CURRENT > 2 )) && (( ${+commands[(r)${words[2]}:*]} )); then cmd=\"${words[2]}\"; fi\n")
	b.WriteString("    case \"$cmd\" in\n")
	for _, c := range cmds {
		pattern := c.name
		if pattern == "" {
			pattern = `""`
		}
		fmt.Fprintf(&b, "        %s)\n", pattern)
		if c.name != "" {
			b.WriteString("            shift words; (( CURRENT-- ))\n")
		}
		var specs []string
		for _, f := range flagsOf(c.fs) {
			desc := "[" + zshQuote(f.usage) + "]"
			val, eq := "", ""
			if f.value != "" {
				eq = "="
				action := " "
				if f.takesPath() {
					action = "_files"
				}
				val = ":" + zshQuote(f.value) + ":" + action
			}
			switch {
			case f.repeatable && f.short != "":
				specs = append(specs, fmt.Sprintf("'*'{-%s,--%s%s}'%s%s'", f.short, f.long, eq, desc, val))
			case f.repeatable:
				specs = append(specs, fmt.Sprintf("'*--%s%s%s%s'", f.long, eq, desc, val))
			case f.short != "":
				specs = append(specs, fmt.Sprintf("'(-%s --%s)'{-%s,--%s%s}'%s%s'", f.short, f.long, f.short, f.long, eq, desc, val))
			default:
				specs = append(specs, fmt.Sprintf("'--%s%s%s%s'", f.long, eq, desc, val))
			}
		}
		specs = append(specs, "'(- *)'{-h,--help}'[show help]'")
		switch {
		case c.name == "":
			specs = append(specs, "'1: :{_describe command commands}'", "'*:package: '")
		case c.args == "packages":
			specs = append(specs, "'*:package: '")
		case c.args == "shells":
			specs = append(specs, "'1:shell:(bash zsh fish)'")
		}
		b.WriteString("            _arguments -s \\\n                " + strings.Join(specs, " \\\n                ") + "\n")
		b.WriteString("            ;;\n")
	}
	b.WriteString("    esac\n")
	b.WriteString("}\n\n")
	b.WriteString("if [ \"$funcstack[1]\" = \"_pipup\" ]; then\n    _pipup \"$@\"\nelse\n    compdef _pipup pipup\nfi\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// fishQuote quotes s for fish's single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writeFish(w io.Writer, cmds []completionCommand) error {
	var b strings.Builder
	b.WriteString("# fish completion for pipup (generated by `pipup completion fish`)\n")
	b.WriteString("complete -c pipup -f\n")
	var names []string
	for _, c := range cmds {
		if c.name != "" {
			names = append(names, c.name)
			fmt.Fprintf(&b, "complete -c pipup -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
		}
	}
	for _, c := range cmds {
		cond := "__fish_use_subcommand"
		if c.name != "" {
			cond = "__fish_seen_subcommand_from " + c.name
		}
		for _, f := range flagsOf(c.fs) {
			line := fmt.Sprintf("complete -c pipup -n %s -l %s", fishQuote(cond), f.long)
			if f.short != "" {
				line += " -s " + f.short
			}
			if f.value != "" {
				line += " -r"
				if f.takesPath() {
					line += " -F"
				}
			}
			b.WriteString(line + " -d " + fishQuote(f.usage) + "\n")
		}
		fmt.Fprintf(&b, "complete -c pipup -n %s -s h -l help -d 'show help'\n", fishQuote(cond))
		if c.args == "shells" {
			fmt.Fprintf(&b, "complete -c pipup -n %s -a 'bash zsh fish'\n", fishQuote(cond))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
