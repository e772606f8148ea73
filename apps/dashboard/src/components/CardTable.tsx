// A table that turns into a stack of cards on a phone-width screen, each cell labelled with its column.
import type { ComponentProps, ReactNode } from 'react';

export function CardTable({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns: readonly string[];
  children: ReactNode;
}) {
  return (
    <table className="block w-full text-sm md:table md:rounded-lg md:border md:border-slate-200 md:bg-white md:shadow-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="hidden md:table-header-group">
        <tr className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          {columns.map((column) => (
            <th key={column} scope="col" className="px-3 py-2">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="flex flex-col gap-3 md:table-row-group">{children}</tbody>
    </table>
  );
}

export function CardRow({ className = '', ...rest }: ComponentProps<'tr'>) {
  return (
    <tr
      className={`block rounded-lg border border-slate-200 bg-white p-3 shadow-sm md:table-row md:rounded-none md:border-0 md:border-t md:p-0 md:shadow-none ${className}`}
      {...rest}
    />
  );
}

export function CardCell({
  label,
  children,
  className = '',
}: {
  label: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <td className={`flex gap-2 px-1 py-1 align-top md:table-cell md:px-3 md:py-3 ${className}`}>
      {/* Read on a phone, where the header row is hidden; gone (also for screen readers) on wider screens. */}
      <span className="w-28 shrink-0 text-xs font-medium uppercase text-slate-500 md:hidden">{label}</span>
      <div className="min-w-0">{children}</div>
    </td>
  );
}
