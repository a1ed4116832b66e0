/** Files for coffer's JSON uploads and downloads (support tickets, dispute evidence): base64 both ways. */

/** A File as standard base64, as coffer's uploads take it. */
export function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const result = String(reader.result);
      resolve(result.slice(result.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** Opens a downloaded attachment (base64 in JSON) as a file the browser saves. */
export function saveAttachment(file: { filename: string | null; content_type: string; content_base64: string }) {
  const bytes = Uint8Array.from(atob(file.content_base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.content_type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = file.filename ?? "attachment";
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
