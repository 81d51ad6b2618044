-- relationship_types moved from objects' settings to relationships' own. Move what
-- workspaces stored: into relationships' row (created when missing, enabled exactly
-- when objects is, so the requires rule holds; an existing row keeps its own value
-- if it already has one), then out of objects' row. Workspaces that never set it keep the default.
insert into workspace_extensions (workspace_id, extension_id, enabled, settings)
select workspace_id, 'relationships', enabled,
       jsonb_build_object('relationship_types', settings -> 'relationship_types')
from workspace_extensions
where extension_id = 'objects' and settings -> 'relationship_types' is not null
on conflict (workspace_id, extension_id) do update
  set settings = workspace_extensions.settings
        || jsonb_build_object('relationship_types', excluded.settings -> 'relationship_types')
  where workspace_extensions.settings -> 'relationship_types' is null;

update workspace_extensions
set settings = settings - 'relationship_types'
where extension_id = 'objects' and settings -> 'relationship_types' is not null;
