/**
 * Names from user files (layer and chunk names, design names) become C++ and Verilog
 * identifiers — and the file names built from them — only through `legaliseIdentifiers`:
 * letters, digits and `_`, not starting with a digit, never a keyword of either language, at
 * most `MAX_IDENTIFIER_LENGTH` characters (a longer name keeps its start and gets a short hash
 * of the whole name), never two alike even case-insensitively — so no name can inject code, and
 * every file name is one the file system takes.
 */
import { createHash } from 'node:crypto';

/** The longest identifier (and file-name stem) generated from a user's name. */
export const MAX_IDENTIFIER_LENGTH = 48;

/** Keywords (and common macros) of C++ and (System)Verilog that a generated name must avoid. */
const RESERVED = new Set(
  (
    'alignas alignof and and_eq asm auto bitand bitor bool break case catch char char16_t char32_t class compl const ' +
    'constexpr const_cast continue decltype default delete do double dynamic_cast else enum explicit export extern ' +
    'false float for friend goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or ' +
    'or_eq private protected public register reinterpret_cast return short signed sizeof static static_assert ' +
    'static_cast struct switch template this thread_local throw true try typedef typeid typename union unsigned ' +
    'using virtual void volatile wchar_t while xor xor_eq main NULL EOF assert ' +
    'always always_comb always_ff always_latch assign begin buf case casex casez cell config deassign defparam ' +
    'design disable edge end endcase endconfig endfunction endgenerate endmodule endprimitive endspecify endtable ' +
    'endtask event force forever fork function generate genvar highz0 highz1 ifnone incdir include initial inout ' +
    'input instance integer join large liblist library localparam logic macromodule medium module nand negedge nmos ' +
    'nor noshowcancelled notif0 notif1 output parameter pmos posedge primitive pull0 pull1 pulldown pullup ' +
    'pulsestyle_ondetect pulsestyle_onevent rcmos real realtime reg release repeat rnmos rpmos rtran rtranif0 ' +
    'rtranif1 scalared showcancelled small specify specparam strong0 strong1 supply0 supply1 table task time tran ' +
    'tranif0 tranif1 tri tri0 tri1 triand trior trireg uwire vectored wait wand weak0 weak1 wire wor xnor bit byte ' +
    'shortint longint int unique priority final import package endpackage interface endinterface modport ' +
    'program endprogram clocking endclocking property sequence assert assume cover restrict type'
  ).split(' '),
);

/** One legal identifier for `name` (not yet made unique). */
export function legaliseIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_');
  if (id === '' || id === '_') id = 'n';
  if (/^[0-9]/.test(id)) id = `n${id}`;
  // a leading underscore followed by a capital (or a double one) is reserved in C++
  if (/^_/.test(id)) id = `n${id}`;
  if (RESERVED.has(id) || RESERVED.has(id.toLowerCase())) id = `${id}_`;
  if (id.length > MAX_IDENTIFIER_LENGTH) {
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    id = `${id.slice(0, MAX_IDENTIFIER_LENGTH - 9).replace(/_+$/, '')}_${hash}`;
  }
  return id;
}

/**
 * Legal, unique identifiers for `names`, in order; `taken` holds identifiers already in use in
 * the same scope (e.g. fixed names of the generated code). Collisions get `_2`, `_3`, ….
 */
export function legaliseIdentifiers(names: readonly string[], taken: Iterable<string> = []): string[] {
  const used = new Set<string>([...taken].map((t) => t.toLowerCase()));
  return names.map((name) => {
    const base = legaliseIdentifier(name);
    let id = base;
    // the suffix keeps the name within MAX_IDENTIFIER_LENGTH
    for (let k = 2; used.has(id.toLowerCase()); k++)
      id = `${base.slice(0, MAX_IDENTIFIER_LENGTH - String(k).length - 1).replace(/_+$/, '')}_${k}`;
    used.add(id.toLowerCase());
    return id;
  });
}
