// The API page: renders the server's own OpenAPI description as headings, tables and schemas.

const METHODS = ["get", "post", "put", "patch", "delete"];

function element(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, properties);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function anchorFor(method, path) {
  return `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "");
}

function schemaName(schema) {
  return schema?.$ref ? schema.$ref.split("/").at(-1) : null;
}

/** A short, readable type for a schema: a link to a named schema, or its type and limits. */
function typeOf(schema) {
  if (!schema) return "—";
  const name = schemaName(schema);
  if (name) return element("a", { href: `#schema-${name}`, textContent: name });
  if (schema.oneOf) return schema.oneOf.map((each) => textOf(each)).join(" or ");
  if (schema.allOf) return schema.allOf.map((each) => schemaName(each) || "object").join(" + ");
  return textOf(schema);
}

function textOf(schema) {
  const kind = Array.isArray(schema.type) ? schema.type.join(" or ") : schema.type || "any";
  const limits = [];
  if (schema.enum) limits.push(`one of ${schema.enum.map((value) => JSON.stringify(value)).join(", ")}`);
  if (schema.minimum !== undefined) limits.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) limits.push(`≤ ${schema.maximum}`);
  if (schema.maxLength !== undefined) limits.push(`${schema.minLength ?? 0}–${schema.maxLength} characters`);
  if (schema.format) limits.push(schema.format);
  return limits.length ? `${kind} (${limits.join(", ")})` : kind;
}

function table(caption, headings, rows) {
  const head = element("tr", {}, ...headings.map((text) => element("th", { scope: "col", textContent: text })));
  const body = rows.map((cells) => element("tr", {}, ...cells.map((cell) => element("td", {}, cell))));
  const tableElement = element("table", { className: "api-table" }, element("caption", { textContent: caption }),
    element("thead", {}, head), element("tbody", {}, ...body));
  // On a narrow screen the table scrolls sideways inside its own region, which the keyboard can reach.
  const region = element("div", { className: "api-table-scroll", tabIndex: 0 }, tableElement);
  region.setAttribute("role", "region");
  region.setAttribute("aria-label", caption);
  return region;
}

function parametersTable(operation) {
  const parameters = operation.parameters || [];
  if (!parameters.length) return null;
  return table("Parameters", ["name", "in", "type", "meaning"], parameters.map((parameter) => [
    element("code", { textContent: parameter.name }), parameter.in, typeOf(parameter.schema),
    parameter.description || (parameter.required ? "required" : "")]));
}

function bodyTable(operation) {
  const content = operation.requestBody?.content;
  if (!content) return null;
  return table("Request body", ["media type", "schema"], Object.entries(content).map(([type, media]) => [
    element("code", { textContent: type }), typeOf(media.schema)]));
}

function responsesTable(operation) {
  return table("Answers", ["status", "meaning", "body"], Object.entries(operation.responses).map(([status, answer]) => {
    const [type, media] = Object.entries(answer.content || {})[0] || [];
    return [element("strong", { textContent: status }), answer.description,
      type ? element("span", {}, element("code", { textContent: type }), " ", typeOf(media.schema)) : "—"];
  }));
}

function operationSection(path, method, operation) {
  const id = anchorFor(method, path);
  const heading = element("h3", { id: `${id}-heading` },
    element("span", { className: `api-method api-${method}`, textContent: method.toUpperCase() }), " ",
    element("code", { textContent: path }));
  const access = operation.security?.some((rule) => rule.adminToken)
    ? element("p", { className: "api-access", textContent: "From other machines than the server's: the admin token." })
    : null;
  return element("article", { className: "card api-operation", id }, heading,
    element("p", { textContent: operation.summary }),
    operation.description ? element("p", { textContent: operation.description }) : null,
    access, parametersTable(operation), bodyTable(operation), responsesTable(operation));
}

function render(description) {
  const index = document.getElementById("api-index");
  const operations = document.getElementById("api-operations");
  operations.replaceChildren();
  const byTag = new Map();
  for (const [path, item] of Object.entries(description.paths)) {
    for (const method of METHODS.filter((each) => item[each])) {
      const tag = item[method].tags?.[0] || "Other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push([path, method, item[method]]);
    }
  }
  for (const [tag, entries] of byTag) {
    const tagId = `tag-${tag.replace(/\W+/g, "-")}`;
    operations.append(element("h2", { id: tagId, textContent: tag }));
    for (const [path, method, operation] of entries) {
      operations.append(operationSection(path, method, operation));
      index.append(element("li", {}, element("a", { href: `#${anchorFor(method, path)}`,
                                                    textContent: `${method.toUpperCase()} ${path}` })));
    }
  }
  const schemas = document.getElementById("api-schemas");
  for (const [name, schema] of Object.entries(description.components.schemas)) {
    schemas.append(element("section", { className: "card", id: `schema-${name}` },
      element("h3", { textContent: name }),
      element("pre", { className: "api-schema", tabIndex: 0 },
        element("code", { textContent: JSON.stringify(schema, null, 2) }))));
  }
  // The page was empty when the browser looked for the link's target: look again now that it is drawn.
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
}

fetch(document.querySelector('a[href$="openapi.json"]').href)
  .then((response) => response.json())
  .then(render)
  .catch((error) => {
    document.getElementById("api-operations").replaceChildren(
      element("p", { textContent: `The description could not be loaded: ${error.message}` }));
  });
