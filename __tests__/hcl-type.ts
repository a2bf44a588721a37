/**
 * A reader for Terraform type constraints (`map(object({ a = optional(string, "x") }))`), as
 * the upstream variables.tf files spell them, and a checker that says where a value we pass
 * does not fit. Terraform silently drops object attributes its type does not declare, so a
 * misspelt nested key would otherwise vanish without an error.
 */

export type HclType =
  | { kind: "primitive"; name: "string" | "number" | "bool" }
  | { kind: "any" }
  | { kind: "collection"; of: "list" | "set" | "map"; element: HclType }
  | { kind: "object"; attributes: Record<string, { type: HclType; optional: boolean }> }
  | { kind: "tuple"; elements: HclType[] };

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      tokens.push(text.slice(i, j + 1));
      i = j + 1;
    } else if (/[A-Za-z0-9_.-]/.test(c)) {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_.-]/.test(text[j])) j++;
      tokens.push(text.slice(i, j));
      i = j;
    } else {
      tokens.push(c);
      i++;
    }
  }
  return tokens;
}

export function parseHclType(text: string): HclType {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const expect = (t: string) => {
    const got = next();
    if (got !== t) throw new Error(`expected ${t} at token ${pos} of ${text}, got ${got}`);
  };
  /** Skips one expression (an optional() default): balanced brackets or a single token. */
  const skipExpression = () => {
    let depth = 0;
    do {
      const t = next();
      if (t === "(" || t === "[" || t === "{") depth++;
      if (t === ")" || t === "]" || t === "}") depth--;
    } while (depth > 0);
  };
  const type = (): HclType => {
    const t = next();
    if (t === "string" || t === "number" || t === "bool") return { kind: "primitive", name: t };
    if (t === "any") return { kind: "any" };
    if (t === "list" || t === "set" || t === "map") {
      expect("(");
      const element = type();
      expect(")");
      return { kind: "collection", of: t, element };
    }
    if (t === "tuple") {
      expect("(");
      expect("[");
      const elements: HclType[] = [];
      while (peek() !== "]") {
        elements.push(type());
        if (peek() === ",") next();
      }
      expect("]");
      expect(")");
      return { kind: "tuple", elements };
    }
    if (t === "object") {
      expect("(");
      expect("{");
      const attributes: Record<string, { type: HclType; optional: boolean }> = {};
      while (peek() !== "}") {
        const name = next();
        expect("=");
        let optional = false;
        let attrType: HclType;
        if (peek() === "optional") {
          next();
          expect("(");
          attrType = type();
          if (peek() === ",") {
            next();
            skipExpression();
          }
          expect(")");
          optional = true;
        } else {
          attrType = type();
        }
        attributes[name] = { type: attrType, optional };
        if (peek() === ",") next();
      }
      expect("}");
      expect(")");
      return { kind: "object", attributes };
    }
    throw new Error(`unknown type token ${t} in ${text}`);
  };
  const result = type();
  if (pos !== tokens.length) throw new Error(`trailing tokens in ${text}: ${tokens.slice(pos).join(" ")}`);
  return result;
}

const isExpression = (v: unknown) => typeof v === "string" && v.includes("${");

/** Where `value` does not fit `type`: a list of `path: problem` strings (empty when it fits). */
export function typeProblems(type: HclType, value: unknown, path: string): string[] {
  if (value === null || value === undefined || isExpression(value)) return [];
  switch (type.kind) {
    case "any":
      return [];
    case "primitive": {
      const ok =
        (type.name === "string" && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")) ||
        (type.name === "number" && (typeof value === "number" || (typeof value === "string" && /^-?[0-9.]+$/.test(value)))) ||
        (type.name === "bool" && (typeof value === "boolean" || value === "true" || value === "false"));
      return ok ? [] : [`${path}: expected ${type.name}, got ${JSON.stringify(value)}`];
    }
    case "collection": {
      if (type.of === "map") {
        if (typeof value !== "object" || Array.isArray(value)) return [`${path}: expected a map`];
        return Object.entries(value).flatMap(([k, v]) => typeProblems(type.element, v, `${path}.${k}`));
      }
      if (!Array.isArray(value)) return [`${path}: expected a ${type.of}`];
      return value.flatMap((v, i) => typeProblems(type.element, v, `${path}[${i}]`));
    }
    case "tuple":
      return Array.isArray(value) ? value.flatMap((v, i) => (type.elements[i] ? typeProblems(type.elements[i], v, `${path}[${i}]`) : [`${path}[${i}]: beyond tuple`])) : [`${path}: expected a tuple`];
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return [`${path}: expected an object`];
      const problems: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        const attr = type.attributes[k];
        if (!attr) problems.push(`${path}.${k}: not an attribute of the type (Terraform would drop it silently); allowed: ${Object.keys(type.attributes).join(", ")}`);
        else problems.push(...typeProblems(attr.type, v, `${path}.${k}`));
      }
      for (const [k, attr] of Object.entries(type.attributes)) {
        if (!attr.optional && !(k in value)) problems.push(`${path}.${k}: required attribute missing`);
      }
      return problems;
    }
  }
}
