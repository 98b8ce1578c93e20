#!/usr/bin/env python3
# Writes LLVM 14's llvm/Support/JSON.h with json::Array's members defined after json::Value,
# where LLVM 15 defines them. clang before 15, in C++20 mode with libstdc++ 12, instantiates
# the members of std::vector<Value> (constexpr since C++20) where Array's bodies call them,
# while Value is still incomplete, and rejects the header.
# Usage: clang14_json.py LLVM_JSON_H OUTPUT
import re
import sys

text = open(sys.argv[1]).read()
begin = text.index('class Array {')
end = text.index('\n};\n', begin) + 1
after_value = '\nbool operator==(const Value &, const Value &);\n'
# A function defined in the class, not a template; its body is one statement.
member = re.compile(r'^  (?!template)(friend )?([^\n(]*?[ &*])(operator\[\]|operator==|\w+)\(([^()\n]*)\)( const)? '
                    r'\{([^{}]*)\}\n', re.M)
definitions = []


def move(m):
    friend, result, name, params, const, body = m.groups(default='')
    owner = '' if friend else 'Array::'
    if result.strip() in ('iterator', 'const_iterator'):
        result = 'Array::' + result
    definitions.append(f'inline {result}{owner}{name}({params}){const} {{ {" ".join(body.split())} }}\n')
    return f'  {friend}{m.group(2)}{name}({params}){const};\n'


array = member.sub(move, text[begin:end])
if len(definitions) < 12 or after_value not in text:
    sys.exit(f'{sys.argv[1]}: not the JSON.h of LLVM 14 this script knows')
text = text[:begin] + array + text[end:]
text = text.replace(after_value, after_value + '\n' + ''.join(definitions), 1)
with open(sys.argv[2], 'w') as out:
    out.write(text)
