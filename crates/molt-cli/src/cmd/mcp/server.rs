//! The protocol side: an `rmcp` server handler over the tool table and
//! the resources, served on stdio.
//!
//! A tool's work is blocking (parsing, checks, git), so each call runs on
//! tokio's blocking pool, behind `catch_unwind`: a bug in a parser costs
//! the client an error result, never the server. Calls that write (edit,
//! verify, plan, run_task) take one lock, so two of them never interleave;
//! the lock moves into the blocking call, so a client that cancels or goes
//! away does not release it while the work still runs.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

use super::page::{head, ANSWER_MAX_BYTES};
use super::tools::{self, McpTool, TOOLS};
use super::{resources, schema, Repo};

const INSTRUCTIONS: &str = "molt's checked code tools for this repository. Find code with `index` and `find`, read \
an item with `read_symbol`, change it with `edit` (an edit set by qualified path: all of it is applied or none, it \
must still parse, and only paths the spec allows are written; dry_run shows the diff), then `verify` runs the \
project's checks against the baseline. `plan`, `status` and `run_task` drive molt's own migration, one task at a \
time. Lists are paginated: pass `next_cursor` back as `cursor`.";

#[derive(Clone)]
pub struct MoltServer {
    repo: Arc<Repo>,
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// Serves `repo` on stdin and stdout until the client closes them.
pub async fn serve(repo: Repo) -> anyhow::Result<()> {
    let server = MoltServer { repo: Arc::new(repo), writer: Arc::default() };
    let running = match server.serve(rmcp::transport::stdio()).await {
        Ok(running) => running,
        // A client that leaves before the handshake ends the session, not in error.
        Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    running.waiting().await?;
    Ok(())
}

fn listed(tool: &McpTool) -> Tool {
    let schema = match (tool.schema)() {
        Value::Object(map) => map,
        _ => Default::default(),
    };
    let annotations = ToolAnnotations::new()
        .read_only(tool.read_only)
        .destructive(tool.destructive)
        .idempotent(tool.idempotent)
        .open_world(false);
    let mut listed = Tool::new(tool.name, tool.description, Arc::new(schema));
    listed.annotations = Some(annotations);
    listed
}

fn error_result(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

impl MoltServer {
    async fn call(&self, tool: &'static McpTool, args: serde_json::Map<String, Value>) -> CallToolResult {
        let repo = self.repo.clone();
        let guard = if tool.writes { Some(self.writer.clone().lock_owned().await) } else { None };
        let joined = tokio::task::spawn_blocking(move || {
            let _guard = guard;
            std::panic::catch_unwind(AssertUnwindSafe(|| (tool.run)(&repo, &args)))
        })
        .await;
        match joined {
            Ok(Ok(Ok(value))) => {
                let text = value.to_string();
                let text = match head(&text, ANSWER_MAX_BYTES) {
                    (text, None) => text,
                    // Every tool sizes its answer below this; a cut here is a bug, said as such.
                    (mut text, Some(cut)) => {
                        text.push_str(&format!("\n[molt: {cut}]"));
                        text
                    }
                };
                CallToolResult::success(vec![ContentBlock::text(text)])
            }
            Ok(Ok(Err(message))) => error_result(format!("{}: {message}", tool.name)),
            Ok(Err(_)) | Err(_) => {
                error_result(format!("{}: internal error while running the tool; nothing was written", tool.name))
            }
        }
    }
}

impl ServerHandler for MoltServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().enable_resources().build();
        let mut info = ServerConfig::new(capabilities).with_instructions(INSTRUCTIONS);
        info.server_info = Implementation::new("molt", env!("CARGO_PKG_VERSION"));
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(TOOLS.iter().map(listed).collect()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tools::find(name).map(listed)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // An unknown tool is a protocol error (the MCP specification's
        // example of one); everything about a known tool's call is a tool
        // error the client's model can read and act on.
        let Some(tool) = tools::find(&request.name) else {
            let name: String = request.name.chars().take(64).collect();
            let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{name}`; the tools are: {}", names.join(", ")),
                None,
            ));
        };
        if let Err(e) = schema::validate_arguments(&(tool.schema)(), request.arguments.as_ref()) {
            return Ok(error_result(format!("{}: {e}; nothing was done", tool.name)).into());
        }
        Ok(self.call(tool, request.arguments.unwrap_or_default()).await.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list(&self.repo)))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(resources::templates()))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let contents = resources::read(&self.repo, &request.uri).map_err(|e| ErrorData::resource_not_found(e, None))?;
        Ok(ReadResourceResult::new(vec![contents]).into())
    }
}
