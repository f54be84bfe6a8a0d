import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Badge } from '../components/Badge';
import { useConfirm } from '../components/Confirm';
import { PageHeader } from '../components/PageHeader';
import { PagedTable } from '../components/PagedTable';
import { ErrorMessage } from '../components/QueryView';
import { Select } from '../components/Select';
import { errorMessage, formatBytes, formatDate } from '../lib/format';
import { useListParams } from '../lib/listParams';
import { useInvalidate } from '../lib/refresh';
import { Link } from '../lib/router';
import { FILE_STATUSES, type FileStatus } from '../lib/statuses';
import { useTRPC, useTRPCClient, type RouterOutputs } from '../lib/trpc';

type File = RouterOutputs['main']['admin']['files']['data'][number];
type Filters = { q: string; mime: string; status: FileStatus | undefined };

function Preview({ file }: { file: File }) {
  const trpc = useTRPC();
  // Signed URLs last an hour by default; reuse one for half of that.
  const ticket = useQuery({ ...trpc.main.storage.getDownloadUrl.queryOptions({ fileId: file.id }), staleTime: 30 * 60 * 1000 });
  if (ticket.isPending) return <span className="thumb placeholder" aria-hidden="true" />;
  if (ticket.isError)
    return (
      <span className="thumb placeholder" role="img" aria-label={`No preview: ${errorMessage(ticket.error)}`} title={errorMessage(ticket.error)}>
        !
      </span>
    );
  return <img className="thumb" src={ticket.data.downloadUrl} alt={`Preview of ${file.originalName}`} width={48} height={48} />;
}

/**
 * Opens a signed URL in a new tab, as a link would: the console stays, the
 * URL stays out of its history, and the new tab gets neither a handle on the
 * console (noopener) nor its address (noreferrer). Called right after the URL
 * arrives, still within the click's user activation, so it is not a blocked popup.
 */
function openInNewTab(url: string) {
  const link = document.createElement('a');
  link.href = url;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  document.body.append(link);
  link.click();
  link.remove();
}

function FilterForm({ value, onApply }: { value: Filters; onApply: (filters: Filters) => void }) {
  const [draft, setDraft] = useState(value);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ ...draft, q: draft.q.trim(), mime: draft.mime.trim() });
  };
  return (
    <form role="search" className="filters" onSubmit={submit}>
      <span className="field">
        <label htmlFor="file-search">Name contains</label>
        <input id="file-search" type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
      </span>
      <span className="field">
        <label htmlFor="file-mime">MIME type prefix</label>
        <input id="file-mime" placeholder="image/" value={draft.mime} onChange={(e) => setDraft({ ...draft, mime: e.target.value })} />
      </span>
      <Select id="file-status" label="Status" all="All" value={draft.status} options={FILE_STATUSES} onChange={(status) => setDraft({ ...draft, status })} />
      <button type="submit">Apply filters</button>
    </form>
  );
}

export function Files() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const invalidate = useInvalidate();
  const confirm = useConfirm();
  const { search, page, status, filter, goTo } = useListParams(FILE_STATUSES);
  const filters: Filters = { q: search.get('q') ?? '', mime: search.get('mime') ?? '', status };
  const userId = search.get('user') || undefined;
  const files = useQuery({
    ...trpc.main.admin.files.queryOptions({
      page,
      limit: 20,
      userId,
      status: filters.status,
      mimeTypePrefix: filters.mime || undefined,
      search: filters.q || undefined,
    }),
    placeholderData: keepPreviousData,
  });
  const download = useMutation({
    mutationFn: (fileId: string) => client.main.storage.getDownloadUrl.query({ fileId }),
    onSuccess: (ticket) => openInNewTab(ticket.downloadUrl),
  });
  const remove = useMutation(
    trpc.core.file.delete.mutationOptions({ onSuccess: () => invalidate(trpc.main.admin.files.pathKey(), trpc.main.admin.overview.pathKey()) }),
  );
  const askDelete = async (file: File) => {
    if (await confirm({ title: 'Delete file?', message: `Delete “${file.originalName}” (${formatBytes(file.size)})? This cannot be undone.` }))
      remove.mutate({ fileId: file.id });
  };
  return (
    <>
      <PageHeader title="Files" />
      {/* Keyed by the applied filters so Back and links reset the draft. */}
      <FilterForm key={`${filters.q}\n${filters.mime}\n${filters.status ?? ''}`} value={filters} onApply={(next) => filter({ q: next.q, mime: next.mime, status: next.status })} />
      {userId && (
        <p>
          Only the files of <Link to={`/users/${userId}`} className="mono">{userId}</Link>.{' '}
          <button type="button" className="link" onClick={() => filter({ user: undefined })}>
            Show everyone's
          </button>
        </p>
      )}
      <ErrorMessage error={download.error ?? remove.error} />
      <PagedTable
        query={files}
        columns={['Preview', 'Name', 'Owner', 'Type', 'Size', 'Status', 'Uploaded']}
        actions
        empty="No files found"
        noun="files"
        onPage={goTo}
        row={(file) => (
          <tr key={file.id}>
            <td>{file.status === 'READY' && file.mimeType.startsWith('image/') ? <Preview file={file} /> : <span className="muted">—</span>}</td>
            <td>{file.originalName}</td>
            <td>
              <Link to={`/users/${file.userId}`} className="mono">
                {file.userId}
              </Link>
            </td>
            <td>{file.mimeType}</td>
            <td className="num">{formatBytes(file.size)}</td>
            <td>
              <Badge value={file.status} />
            </td>
            <td>{formatDate(file.createdAt)}</td>
            <td className="row-actions">
              {file.status === 'READY' && (
                <button type="button" aria-label={`Download ${file.originalName}`} onClick={() => download.mutate(file.id)} disabled={download.isPending}>
                  Download
                </button>
              )}
              <button type="button" className="danger" aria-label={`Delete ${file.originalName}`} onClick={() => askDelete(file)} disabled={remove.isPending}>
                Delete
              </button>
            </td>
          </tr>
        )}
      />
    </>
  );
}
