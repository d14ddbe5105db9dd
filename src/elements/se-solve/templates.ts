import type { EditorLanguage } from '../../shared/highlighters.js';

/** Starting code per editor language: a program that compiles and prints, nothing to solve. */
const templates: Partial<Record<EditorLanguage, string>> = {
  python: 'print("Hello, world!")\n',
  cpp: '#include <iostream>\nusing namespace std;\n\nint main() {\n    cout << "Hello, world!" << endl;\n    return 0;\n}\n',
  c: '#include <stdio.h>\n\nint main(void) {\n    printf("Hello, world!\\n");\n    return 0;\n}\n',
  java: 'public class Main {\n    public static void main(String[] args) {\n        System.out.println("Hello, world!");\n    }\n}\n',
  csharp:
    'using System;\n\npublic class Program {\n    public static void Main() {\n        Console.WriteLine("Hello, world!");\n    }\n}\n',
  kotlin: 'fun main() {\n    println("Hello, world!")\n}\n',
  scala: 'object Main extends App {\n  println("Hello, world!")\n}\n',
  javascript: 'console.log("Hello, world!");\n',
  typescript: 'console.log("Hello, world!");\n',
  shell: 'echo "Hello, world!"\n',
  perl: 'print "Hello, world!\\n";\n',
  ruby: 'puts "Hello, world!"\n',
  go: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("Hello, world!")\n}\n',
  rust: 'fn main() {\n    println!("Hello, world!");\n}\n',
  php: '<?php\necho "Hello, world!\\n";\n',
  haskell: 'main :: IO ()\nmain = putStrLn "Hello, world!"\n',
  lua: 'print("Hello, world!")\n',
  pascal: "program Hello;\nbegin\n  writeln('Hello, world!');\nend.\n",
  r: 'cat("Hello, world!\\n")\n',
  swift: 'print("Hello, world!")\n',
  d: 'import std.stdio;\n\nvoid main() {\n    writeln("Hello, world!");\n}\n',
  julia: 'println("Hello, world!")\n',
  groovy: 'println "Hello, world!"\n',
};

/** The template for a language; empty for languages without one. */
export function templateFor(language: EditorLanguage): string {
  return templates[language] ?? '';
}
